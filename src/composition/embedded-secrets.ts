import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface EmbeddedSecrets {
  encryptionKey: string;
  adminToken: string;
}

/**
 * The embedded default needs an encryption key and an admin token but asks the newcomer for neither: they
 * are generated on first start and kept (mode 0600) in the data directory, so stored tokens still decrypt
 * after a restart. Production passes both through the environment instead.
 */
export function loadOrCreateEmbeddedSecrets(dataDir: string): EmbeddedSecrets & { created: boolean } {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as EmbeddedSecrets;
    return { ...parsed, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets: EmbeddedSecrets = {
    encryptionKey: `embedded:${randomBytes(32).toString("base64")}`,
    adminToken: randomBytes(24).toString("hex"),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...secrets, created: true };
}

/**
 * What the embedded default prints about its admin token. The token is printed once, on the start that created
 * it (terminal scrollback and CI logs keep what is printed); afterwards only where it lives.
 */
export function adminTokenNotice(input: { created: boolean; token: string; dataDir: string }): string {
  const file = path.join(input.dataDir, "secrets.json");
  return input.created
    ? `\n  Admin token (also in ${file}): ${input.token}\n\n`
    : `\n  Admin token: in ${file} (printed on the first start only)\n\n`;
}
