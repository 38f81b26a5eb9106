import type { RequestHandler } from "express";
import type { RepActor } from "../../src/domain/rep-permissions";

/**
 * Stands in for the integrator's auth in route tests: `x-test-actor: team_lead:anna` (or `rep:ben`) says who is
 * calling; without the header the caller is the admin.
 */
export const actorFromTestHeader: RequestHandler = (req, res, next) => {
  const who = req.get("x-test-actor");
  if (who) {
    const [role, rep] = who.split(":") as ["rep" | "team_lead", string];
    res.locals.actor = { role, rep } satisfies RepActor;
  }
  next();
};
