import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { UnauthorizedError } from "../domain/errors";

/**
 * Admin routes need `Authorization: Bearer <HANDOFF_ADMIN_TOKEN>` (or the `handoff_admin` cookie set by the
 * dashboard login). Both sides are hashed first so the comparison is constant-time whatever the length.
 */
export function requireAdmin(adminToken: string): RequestHandler {
  const expected = createHash("sha256").update(adminToken).digest();
  return (req, _res, next) => {
    const header = req.get("authorization") ?? "";
    const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
    const cookie = /(?:^|;\s*)handoff_admin=([^;]+)/.exec(req.get("cookie") ?? "")?.[1];
    const given = bearer ?? (cookie ? decodeURIComponent(cookie) : undefined);
    if (given !== undefined && timingSafeEqual(createHash("sha256").update(given).digest(), expected)) return next();
    next(
      new UnauthorizedError(
        given === undefined ? "admin token missing" : "admin token does not match",
        "Send `Authorization: Bearer <HANDOFF_ADMIN_TOKEN>`; the embedded default prints its token at start.",
      ),
    );
  };
}
