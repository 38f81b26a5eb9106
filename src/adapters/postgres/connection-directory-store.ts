import type { Pool } from "pg";
import type { Connection, ConnectionDirectory } from "../../ports/connections";

/** The connections table read without its token columns, so no encryption key is needed. */
export class PostgresConnectionDirectoryStore implements ConnectionDirectory {
  constructor(private readonly pool: Pool) {}

  async ids(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>("SELECT id FROM connections ORDER BY id");
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<Pick<Connection, "crm" | "settings"> | null> {
    const { rows } = await this.pool.query<Pick<Connection, "crm" | "settings">>(
      "SELECT crm, settings FROM connections WHERE id = $1",
      [id],
    );
    return rows[0] ?? null;
  }
}
