import { composeCliServices, databaseUrlOf } from "../../../src/composition/cli-services";
import { ConfigError, readConfig } from "../../../src/config/read-config";
import { fixedClock } from "../../../src/ports/clock";

const cliConfig = (env: NodeJS.ProcessEnv) => readConfig(env, { requireSecrets: false });

describe("the CLI's one database URL, from the validated config", () => {
  it("when DATABASE_URL is set, then every command works on it; unset, on the embedded default's database", () => {
    const url = "postgres://ops:pw@db.internal:5432/handoff";
    expect(
      composeCliServices(cliConfig({ DATABASE_URL: url }), fixedClock("2026-11-23T10:00:00Z")).databaseUrl,
    ).toBe(url);
    expect(databaseUrlOf(cliConfig({ EMBEDDED_PG_PORT: "55001" }))).toBe(
      "postgres://handoff:handoff-embedded@127.0.0.1:55001/handoff",
    );
  });

  it("when production secrets are missing, then the server refuses to start but the CLI reads the config", () => {
    const env = { DATABASE_URL: "postgres://ops:pw@db.internal:5432/handoff" };
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(cliConfig(env).databaseUrl).toBe(env.DATABASE_URL);
    expect(() => cliConfig({ ...env, PORT: "not-a-port" })).toThrow(ConfigError);
  });
});
