/**
 * Who may accept or reject a handed-over lead: its current owner, that rep's manager or the team lead of a
 * pool the rep is in (both as the SLA names them), or an admin. Everyone else is refused, and told who may.
 */
import type { RoutingRules } from "./routing-rules";

/** Who is giving the feedback, as far as the surface could vouch for it. */
export type FeedbackActor =
  /** Dashboard admin token, the CLI, the embedded demo's local user. */
  | { kind: "admin"; id?: string }
  /** A CRM owner id (HubSpot owner, Salesforce User), resolved from the card, link or CRM change. */
  | { kind: "owner"; ownerId: string }
  /** The surface could not say who it is (an unsigned request, an unknown CRM user). */
  | { kind: "unknown"; id?: string };

export type FeedbackPermission =
  { allowed: true; as: "admin" | "owner" | "manager" | "team_lead" } | { allowed: false; who: string };

/** The reps (SLA keys) who supervise the rep with this CRM owner id: their manager and their pools' leads. */
function supervisors(rules: RoutingRules, ownerId: string): { manager: string[]; teamLead: string[] } {
  const rep = Object.values(rules.reps).find((r) => r.crmId === ownerId);
  if (!rep) return { manager: [], teamLead: [] };
  const teamLead = Object.values(rules.pools)
    .filter((p) => p.lead !== undefined && p.lead !== rep.key && p.members.some((m) => m.rep === rep.key))
    .map((p) => p.lead as string);
  return { manager: rep.managerKey ? [rep.managerKey] : [], teamLead: [...new Set(teamLead)] };
}

function describe(rules: RoutingRules, repKey: string): string {
  const rep = rules.reps[repKey];
  return rep ? `${rep.name ?? repKey} (${rep.crmId})` : repKey;
}

/**
 * Whether `actor` may accept or reject the lead `ownerId` holds.
 * @example feedbackPermission({ kind: "owner", ownerId: "80001" }, "80001", rules) // { allowed: true, as: "owner" }
 */
export function feedbackPermission(
  actor: FeedbackActor,
  ownerId: string | null,
  rules: RoutingRules,
): FeedbackPermission {
  if (actor.kind === "admin") return { allowed: true, as: "admin" };
  const { manager, teamLead } = ownerId ? supervisors(rules, ownerId) : { manager: [], teamLead: [] };
  if (actor.kind === "owner") {
    if (ownerId !== null && actor.ownerId === ownerId) return { allowed: true, as: "owner" };
    const crmIdOf = (key: string) => rules.reps[key]?.crmId;
    if (manager.some((k) => crmIdOf(k) === actor.ownerId)) return { allowed: true, as: "manager" };
    if (teamLead.some((k) => crmIdOf(k) === actor.ownerId)) return { allowed: true, as: "team_lead" };
  }
  const ownerRep = Object.values(rules.reps).find((r) => r.crmId === ownerId);
  const parts = [
    ownerId ? `the lead's owner ${ownerRep ? describe(rules, ownerRep.key) : ownerId}` : "the lead's owner",
    ...manager.map((k) => `their manager ${describe(rules, k)}`),
    ...teamLead.map((k) => `their team lead ${describe(rules, k)}`),
    "an admin",
  ];
  return { allowed: false, who: `${parts.slice(0, -1).join(", ")} or ${parts[parts.length - 1]}` };
}
