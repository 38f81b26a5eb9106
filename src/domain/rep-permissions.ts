/**
 * Who may change a rep's availability and caps: reps themselves (away/back/out of office, never caps), the team
 * lead of a pool for that pool's members (availability and caps), admins for everyone. The monthly cap of the
 * current month (`month_cap`) may also be overridden by the rep's manager as the SLA names them.
 */
import type { RoutingRules } from "./routing-rules";

export type RepActor =
  { role: "admin"; id?: string } | { role: "rep"; rep: string } | { role: "team_lead"; rep: string };

export type RepAction = "availability" | "caps" | "month_cap" | "view";

/** Pools whose team lead is `lead`. */
export function poolsLedBy(rules: RoutingRules, lead: string): string[] {
  return Object.values(rules.pools)
    .filter((p) => p.lead === lead)
    .map((p) => p.name);
}

/** Reps a team lead manages: members of the pools they lead (and themselves). */
export function repsManagedBy(rules: RoutingRules, lead: string): string[] {
  const reps = new Set<string>([lead]);
  for (const pool of Object.values(rules.pools)) {
    if (pool.lead === lead) for (const m of pool.members) reps.add(m.rep);
  }
  return [...reps].sort();
}

/** Undefined when allowed, else the reason it is not. `rules` is needed for team leads only. */
export function refusal(
  actor: RepActor,
  action: RepAction,
  rep: string,
  rules: RoutingRules | undefined,
): string | undefined {
  if (actor.role === "admin") return undefined;
  if (actor.role === "rep") {
    if (actor.rep !== rep) return `${actor.rep} may change only their own availability`;
    if (action === "caps") return "caps are set by the pool's team lead";
    if (action === "month_cap") return `${rep}'s monthly cap is set by ${whoMaySetMonthCap(rules, rep)}`;
    return undefined;
  }
  if (!rules) return "the connection has no published SLA, so no pool has a team lead";
  if (action === "month_cap" && rules.reps[rep]?.managerKey === actor.rep) return undefined;
  if (!repsManagedBy(rules, actor.rep).includes(rep)) {
    if (action === "month_cap") return `${rep}'s monthly cap is set by ${whoMaySetMonthCap(rules, rep)}`;
    const pools = poolsLedBy(rules, actor.rep);
    return `${rep} is not in a pool ${actor.rep} leads (${pools.length ? pools.join(", ") : "none"})`;
  }
  return undefined;
}

/** "anna (team lead of dach), maria (manager) or an admin", for a refusal that says who may. */
export function whoMaySetMonthCap(rules: RoutingRules | undefined, rep: string): string {
  const who = new Set<string>();
  for (const pool of Object.values(rules?.pools ?? {})) {
    if (pool.lead && pool.members.some((m) => m.rep === rep))
      who.add(`${pool.lead} (team lead of ${pool.name})`);
  }
  const manager = rules?.reps[rep]?.managerKey;
  if (manager) who.add(`${manager} (manager)`);
  return [...who, "an admin"].join(", ").replace(/, (an admin)$/, " or $1");
}

/** A stable actor string for the audit log. */
export function actorLabel(actor: RepActor): string {
  return actor.role === "admin" ? `admin${actor.id ? `:${actor.id}` : ""}` : `${actor.role}:${actor.rep}`;
}
