import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { UnauthorizedError } from "../domain/errors";

/**
 * Admin routes need `Authorization: Bearer <HANDOFF_ADMIN_TOKEN>` (or the `handoff_admin` cookie set by the
 * dashboard login). Both sides are hashed first so the comparison is constant-time whatever the length.
 */
export function requireAdmin(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const given = presentedAdminToken(req);
    if (given !== undefined && adminTokenMatches(given, adminToken)) return next();
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
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(adminToken).digest();
  return timingSafeEqual(a, b);
}
