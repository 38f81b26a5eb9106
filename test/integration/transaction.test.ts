import { inTransaction } from "../../src/adapters/postgres/transaction";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  await db.pool.query("CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)");
});
afterAll(() => db.close());
beforeEach(() => db.pool.query("TRUNCATE notes"));

const count = async () => Number((await db.pool.query("SELECT count(*) AS n FROM notes")).rows[0].n);

describe("inTransaction, the one transaction helper", () => {
  it("when the work resolves, then everything it wrote is committed and its result returned", async () => {
    const result = await inTransaction(db.pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a'), (2, 'b')");
      return "done";
    });
    expect(result).toBe("done");
    expect(await count()).toBe(2);
  });

  it("when the work throws, then nothing it wrote stays and the error comes out as it was", async () => {
    const refusal = new Error("refused by the policy");
    await expect(
      inTransaction(db.pool, async (client) => {
        await client.query("INSERT INTO notes VALUES (1, 'a')");
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(await count()).toBe(0);
  });

  it("when read only, then a write inside is refused by PostgreSQL", async () => {
    await expect(
      inTransaction(db.pool, (client) => client.query("INSERT INTO notes VALUES (1, 'a')"), {
        readOnly: true,
      }),
    ).rejects.toMatchObject({ code: "25006" });
    expect(await count()).toBe(0);
  });

  it("when PostgreSQL aborts for a conflict and attempts allow, then the work runs again on a fresh transaction", async () => {
    const retried: string[] = [];
    let runs = 0;
    await inTransaction(
      db.pool,
      async (client) => {
        runs += 1;
        await client.query("INSERT INTO notes VALUES (1, 'a')");
        if (runs === 1) throw Object.assign(new Error("could not serialize access"), { code: "40001" });
      },
      { attempts: 3, onRetry: (code) => retried.push(code) },
    );
    expect(runs).toBe(2);
    expect(retried).toEqual(["40001"]);
    expect(await count()).toBe(1);
  });

  it("when the conflict persists past the attempts, or is no conflict at all, then it is not retried", async () => {
    let runs = 0;
    const conflict = () => {
      runs += 1;
      return Promise.reject(Object.assign(new Error("deadlock detected"), { code: "40P01" }));
    };
    await expect(inTransaction(db.pool, conflict, { attempts: 2 })).rejects.toMatchObject({ code: "40P01" });
    expect(runs).toBe(2);
    runs = 0;
    await expect(
      inTransaction(db.pool, () => Promise.reject(Object.assign(new Error("dup"), { code: "23505" })), {
        attempts: 3,
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(runs).toBe(0);
  });

  it("when given a client, then it runs on that client and leaves it open for the caller", async () => {
    const client = await db.pool.connect();
    try {
      await inTransaction(client, (tx) => tx.query("INSERT INTO notes VALUES (1, 'a')"));
      expect((await client.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    } finally {
      client.release();
    }
    expect(await count()).toBe(1);
  });
});
