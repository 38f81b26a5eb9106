import type { RoutingRules } from "../../../src/domain/routing-rules";
import { demoRules, withPool } from "../../helpers/routing-builders";

/** DACH with small caps so that concurrent assignments fight for the last slots. */
export function cappedDachRules(capOpen = 40, annaCap = 60): RoutingRules {
  const rules = demoRules();
  rules.reps.anna = { ...rules.reps.anna!, capOpen: annaCap };
  return withPool(rules, { ...rules.pools.dach!, capOpen, capPerDay: 1000 });
}

export async function insertConnection(
  pool: { query(sql: string, params: unknown[]): Promise<unknown> },
  id: string,
): Promise<void> {
  await pool.query(
    "INSERT INTO connections (id, crm, external_id, name) VALUES ($1, 'hubspot', $2, 'Demo portal') ON CONFLICT DO NOTHING",
    [id, `ext-${id}`],
  );
}
