import { migrate } from "../../src/adapters/postgres/migrate";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

describe("migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it("when run again, then nothing is applied twice", async () => {
    expect(await migrate(db.pool)).toEqual([]);
    const tables = await db.pool.query("SELECT to_regclass('public.events') AS t");
    expect(tables.rows[0].t).toBe("events");
  });

  it("when several processes migrate at once, then each file is applied once", async () => {
    const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    expect(results.flat()).toEqual([]);
  });
});
