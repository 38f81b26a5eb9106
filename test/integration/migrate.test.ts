import { readdirSync } from "node:fs";
import path from "node:path";
import { Pool } from "pg";
import { migrate } from "../../src/adapters/postgres/migrate";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const MIGRATIONS = readdirSync(path.join(__dirname, "../../src/adapters/postgres/migrations"))
  .filter((f) => f.endsWith(".sql"))
  .sort();

describe("migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db.close());

  it("when several processes migrate an empty database at once, then each file is applied exactly once", async () => {
    // One pool per "process": each migrate runs on its own connection, so only the advisory lock keeps them apart.
    const pools = [1, 2, 3].map(() => new Pool({ connectionString: db.url, max: 1 }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)));
      expect(results.flat().sort()).toEqual(MIGRATIONS);
      expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    const recorded = await db.pool.query<{ name: string }>(
      "SELECT name FROM handoff_migrations ORDER BY name",
    );
    expect(recorded.rows.map((r) => r.name)).toEqual(MIGRATIONS);
    const tables = await db.pool.query("SELECT to_regclass('public.events') AS t");
    expect(tables.rows[0].t).toBe("events");
  });

  it("when run again, then nothing is applied twice", async () => {
    expect(await migrate(db.pool)).toEqual([]);
  });
});
