import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether two byte strings are equal, in time that does not depend on where they differ. A length mismatch
 * answers at once: callers compare fixed-length digests, whose length is no secret.
 */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a presented secret (a token, a password) equals the expected one, in constant time whatever the
 * lengths: both sides are hashed first, so not even the expected secret's length leaks.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(
    createHash("sha256").update(given).digest(),
    createHash("sha256").update(expected).digest(),
  );
}
