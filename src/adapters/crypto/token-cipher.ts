import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "../../domain/errors";

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * Encrypts OAuth tokens at rest with AES-256-GCM. Stored form: `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64).
 * The key id makes rotation possible: new values use the current key, old values still decrypt with a
 * previous key until they are rewritten.
 */
export interface TokenCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  currentKeyId: string;
}

/**
 * @param current `keyId:BASE64` or `BASE64` (32 bytes); the key id defaults to a hash prefix of the key.
 * @param previous keys that still decrypt old values.
 * @example const cipher = createTokenCipher(process.env.HANDOFF_ENCRYPTION_KEY!);
 */
export function createTokenCipher(current: string, previous: string[] = []): TokenCipher {
  const keys = [current, ...previous].map(parseKey);
  const active = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k]));
  return {
    currentKeyId: active.id,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", active.bytes, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ["v1", active.id, iv.toString("base64"), tag.toString("base64"), data.toString("base64")].join(
        ":",
      );
    },
    decrypt(stored) {
      const [version, keyId, iv, tag, data] = stored.split(":");
      if (version !== "v1" || !keyId || !iv || !tag || data === undefined) {
        throw new AppError("token_unreadable", "stored token is not in the v1 encrypted format", {
          hint: "Reinstall the app for this connection to store a fresh token.",
        });
      }
      const key = byId.get(keyId);
      if (!key) {
        throw new AppError(
          "token_key_unknown",
          `stored token was encrypted with key "${keyId}", which is not configured`,
          {
            hint: "Add the old key to HANDOFF_PREVIOUS_ENCRYPTION_KEYS as 'keyId:BASE64'.",
          },
        );
      }
      const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64"));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString(
          "utf8",
        );
      } catch (cause) {
        throw new AppError("token_unreadable", "stored token failed authentication (wrong key or tampered)", {
          hint: "Check HANDOFF_ENCRYPTION_KEY; reinstall the connection if the key was lost.",
          cause,
        });
      }
    },
  };
}

function parseKey(spec: string): Key {
  const idx = spec.lastIndexOf(":");
  const b64 = idx >= 0 ? spec.slice(idx + 1) : spec;
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length !== 32) {
    throw new AppError(
      "bad_encryption_key",
      `encryption key must be 32 bytes in base64, got ${bytes.length} bytes`,
      {
        hint: "Generate one with `openssl rand -base64 32`.",
      },
    );
  }
  const id = idx >= 0 ? spec.slice(0, idx) : createHash("sha256").update(bytes).digest("hex").slice(0, 8);
  return { id, bytes };
}
