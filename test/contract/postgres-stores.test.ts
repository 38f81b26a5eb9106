import { createTokenCipher } from "../../src/adapters/crypto/token-cipher";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { PostgresConnectionStore } from "../../src/adapters/postgres/connection-store";
import { PostgresEventStore } from "../../src/adapters/postgres/event-store";
import { PostgresFollowUpStore } from "../../src/adapters/postgres/follow-up-store";
import { PostgresLeadStore } from "../../src/adapters/postgres/lead-store";
import { startBoss, type Boss } from "../../src/jobs/boss";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { silent } from "../helpers/silent-logger";
import { storesContract } from "./stores.contract";

/** One database and job queue for the file; every test starts from empty tables. */
let db: TestDatabase | undefined;
let boss: Boss | undefined;
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.close();
});

storesContract("PostgreSQL", async () => {
  db ??= await createTestDatabase();
  boss ??= await startBoss({ connectionString: db.url, logger: silent, supervise: false });
  const { pool } = db;
  const cipher = createTokenCipher(Buffer.alloc(32, 7).toString("base64"));
  return {
    connections: new PostgresConnectionStore(pool, cipher),
    events: new PostgresEventStore(pool, boss),
    leads: new PostgresLeadStore(pool),
    assignments: new PostgresAssignmentStore({ pool, logger: silent }),
    followUps: new PostgresFollowUpStore(pool),
    async teardown() {
      const tables = await pool.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'handoff_migrations'",
      );
      await pool.query(`TRUNCATE ${tables.rows.map((t) => `"${t.tablename}"`).join(", ")} CASCADE`);
    },
  };
});
