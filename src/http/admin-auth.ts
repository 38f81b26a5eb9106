import { sameSecret } from "../adapters/crypto/constant-time";
import type { Request, RequestHandler } from "express";
import { AppError, UnauthorizedError } from "../domain/errors";
import type { GuessLimiter } from "./guess-limiter";

/**
 * Admin routes need `Authorization: Bearer <HANDOFF_ADMIN_TOKEN>` (or the `handoff_admin` cookie set by the
 * dashboard login). Both sides are hashed first so the comparison is constant-time whatever the length.
 * Wrong tokens are limited per address (429 with Retry-After); the right token is never refused.
 */
export function requireAdmin(adminToken: string, guesses?: GuessLimiter): RequestHandler {
  return (req, res, next) => {
    const given = presentedAdminToken(req);
    if (given !== undefined && adminTokenMatches(given, adminToken)) return next();
    const address = req.ip ?? "unknown";
    const blockedForMs = guesses?.blockedForMs(address) ?? 0;
    if (blockedForMs > 0) {
      res.set("retry-after", String(Math.ceil(blockedForMs / 1000)));
      return next(
        new AppError("too_many_wrong_tokens", "too many wrong admin tokens from this address", {
          hint: "Wait for the Retry-After seconds, then send the right token.",
        }),
      );
    }
    if (given !== undefined) guesses?.recordWrong(address);
    next(
      new UnauthorizedError(
        given === undefined ? "admin token missing" : "admin token does not match",
        "Send `Authorization: Bearer <HANDOFF_ADMIN_TOKEN>`; the embedded default prints its token at start.",
      ),
    );
  };
}

/** The token a request presents: `Authorization: Bearer …` or the dashboard's `handoff_admin` cookie. */
export function presentedAdminToken(req: Request): string | undefined {
  const header = req.get("authorization") ?? "";
  if (header.startsWith("Bearer ")) return header.slice(7);
  const cookie = /(?:^|;\s*)handoff_admin=([^;]+)/.exec(req.get("cookie") ?? "")?.[1];
  return cookie ? decodeURIComponent(cookie) : undefined;
}

export function adminTokenMatches(given: string, adminToken: string): boolean {
  return sameSecret(given, adminToken);
}
