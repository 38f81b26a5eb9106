/**
 * The database a CLI command works on: DATABASE_URL, or the embedded default's database while `npm start`
 * is running (same port and credentials as src/adapters/postgres/embedded.ts).
 */
export function cliDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const port = env.EMBEDDED_PG_PORT ?? "54329";
  return `postgres://handoff:handoff-embedded@127.0.0.1:${port}/handoff`;
}
