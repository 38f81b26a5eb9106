import { createHmac } from "node:crypto";
import { sameBytes } from "./constant-time";

/** Why a token was refused before its claims were read. */
export type ClaimsTokenRefusal = "is malformed" | "signature mismatch";

function mac(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * A signed claims token, `<base64url JSON claims>.<base64url HMAC-SHA256>`: the card's feedback tokens and preview
 * links, and the OAuth install state. The claims are readable, not secret; the HMAC makes them unforgeable.
 * @example const token = signClaims(secret, { leadId: "501", exp: clock().getTime() + 600_000 });
 */
export function signClaims(secret: string, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${payload}.${mac(secret, payload)}`;
}

/**
 * The claims of a token signed with `secret`, or why it is refused (compared in constant time). What the claims
 * must say (lead, expiry, CRM) is the caller's to check.
 */
export function readClaims<T>(
  secret: string,
  token: string,
): { claims: T; refused?: undefined } | { refused: ClaimsTokenRefusal } {
  const [payload, given, extra] = token.split(".");
  if (!payload || !given || extra !== undefined) return { refused: "is malformed" };
  if (!sameBytes(Buffer.from(given), Buffer.from(mac(secret, payload))))
    return { refused: "signature mismatch" };
  try {
    return { claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as T };
  } catch {
    return { refused: "is malformed" };
  }
}
