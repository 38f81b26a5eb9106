/**
 * Who gets this lead, and why — decided from one snapshot, purely, so that the same inputs always give the
 * same decision (and `handoff replay` can prove it).
 *
 * Order: the lead's open Handoff assignment → existing owner (when the SLA says keep) → account owner by
 * e-mail domain → owner of a duplicate → territory (priority, first match) → pool → eligible members →
 * weighted round robin → fallback, with a reason naming who was skipped and why.
 */
import { ABSENCE_KINDS, checkEligibility, type Eligibility } from "./availability";
import { matchesWhen } from "./conditions";
import { rotate, type RotationMember } from "./fairness";
import { emailDomain, isIgnoredDomain } from "./free-mail-domains";
import type { Lead } from "./lead";
import type { Pool, Rep, RoutingRules, Territory } from "./routing-rules";
import type {
  AccountCandidate,
  CandidateReport,
  OwnerStatus,
  RoutingDecision,
  RoutingInput,
} from "./routing-snapshot";

/** The territory and pool a lead falls into, before anyone's availability is looked at. */
export interface PoolPlan {
  territory?: string;
  pool?: string;
  /** Why: "territory Iberia (priority 1): postalCode "28013" matches "28*"", or why there is no pool. */
  step: string;
}

function byPriority(territories: Territory[]): Territory[] {
  return territories
    .map((t, index) => ({ t, index }))
    .sort((a, b) => (a.t.priority ?? Infinity) - (b.t.priority ?? Infinity) || a.index - b.index)
    .map(({ t }) => t);
}

/** First matching territory by priority (ties keep file order), else the default pool. */
export function planPool(lead: Lead, rules: RoutingRules): PoolPlan {
  for (const territory of byPriority(rules.territories)) {
    const match = matchesWhen(lead, territory.when);
    if (!match.matched) continue;
    const priority = territory.priority === undefined ? "" : ` (priority ${territory.priority})`;
    const why = match.evidence.length > 0 ? `: ${match.evidence.join("; ")}` : "";
    return {
      territory: territory.name,
      pool: territory.pool,
      step: `territory ${territory.name}${priority}${why}`,
    };
  }
  if (rules.defaultPool !== undefined) {
    return { pool: rules.defaultPool, step: `no territory matches; default pool ${rules.defaultPool}` };
  }
  return { step: "no territory matches and there is no default pool" };
}

/**
 * Rep keys whose state the router may read for this input: the planned pool's members and the reps owning
 * the lead, its account candidates or its duplicates. The AssignmentStore locks exactly these rows.
 */
export function repsInvolved(input: Pick<RoutingInput, "lead" | "rules" | "accounts" | "duplicates">): {
  pool?: string;
  reps: string[];
} {
  const plan = planPool(input.lead, input.rules);
  const keys = new Set<string>();
  const pool = plan.pool === undefined ? undefined : input.rules.pools[plan.pool];
  for (const m of pool?.members ?? []) keys.add(m.rep);
  const ownerIds = new Set<string>();
  if (input.lead.ownerId) ownerIds.add(input.lead.ownerId);
  for (const a of input.accounts) if (a.ownerId) ownerIds.add(a.ownerId);
  for (const d of input.duplicates) if (d.ownerId) ownerIds.add(d.ownerId);
  for (const [key, rep] of Object.entries(input.rules.reps)) if (ownerIds.has(rep.crmId)) keys.add(key);
  return { ...(pool ? { pool: plan.pool as string } : {}), reps: [...keys].sort() };
}

interface Context {
  input: RoutingInput;
  now: Date;
  owners: Map<string, OwnerStatus>;
  repByCrmId: Map<string, string>;
  steps: string[];
}

/** Decides the owner of one lead. Pure and deterministic. */
export function routeLead(input: RoutingInput): RoutingDecision {
  const ctx: Context = {
    input,
    now: new Date(input.now),
    owners: new Map(input.owners.map((o) => [o.id, o])),
    repByCrmId: new Map(Object.entries(input.rules.reps).map(([key, rep]) => [rep.crmId, key])),
    steps: [],
  };
  return (
    alreadyAssigned(ctx) ??
    keepExistingOwner(ctx) ??
    accountOwner(ctx) ??
    duplicateOwner(ctx) ??
    roundRobin(ctx)
  );
}

function alreadyAssigned(ctx: Context): RoutingDecision | undefined {
  const current = ctx.input.currentAssignment;
  if (!current) return undefined;
  if (ctx.input.excludeOwnerIds?.includes(current.ownerId) === true) {
    // A reassignment: the store releases the current assignment when this decision commits.
    ctx.steps.push(
      `reassigning: current owner ${current.ownerId} (decision ${current.decisionId}) is excluded`,
    );
    return undefined;
  }
  const reason = `already assigned by decision ${current.decisionId}; kept`;
  ctx.steps.push(reason);
  return {
    method: "already_assigned",
    ownerId: current.ownerId,
    ...(current.repKey !== undefined ? { repKey: current.repKey } : {}),
    reason,
    steps: ctx.steps,
    candidates: [],
    counts: false,
  };
}

/** Whether a CRM owner can take a lead directly (active person; if a roster rep, not absent). */
function ownerUsable(
  ctx: Context,
  ownerId: string,
): { ok: true; repKey?: string } | { ok: false; why: string } {
  if (ctx.input.excludeOwnerIds?.includes(ownerId) === true)
    return { ok: false, why: `owner ${ownerId} is a previous assignee` };
  const owner = ctx.owners.get(ownerId);
  if (!owner) return { ok: false, why: `owner ${ownerId} not found in the CRM` };
  if (!owner.active) return { ok: false, why: `owner ${ownerId} is deactivated in the CRM` };
  if (owner.kind === "queue") return { ok: false, why: `owner ${ownerId} is a queue, not a person` };
  const repKey = ctx.repByCrmId.get(ownerId);
  if (repKey === undefined) return { ok: true };
  const e = eligibility(ctx, repKey, undefined, { ignoreHours: true, ignoreCaps: true });
  if (!e.eligible) return { ok: false, why: `${repKey}: ${e.reason}` };
  return { ok: true, repKey };
}

function direct(
  ctx: Context,
  method: "existing_owner" | "account_owner" | "duplicate_owner",
  ownerId: string,
  repKey: string | undefined,
  reason: string,
): RoutingDecision {
  ctx.steps.push(reason);
  return {
    method,
    ownerId,
    ...(repKey !== undefined ? { repKey } : {}),
    reason,
    steps: ctx.steps,
    candidates: [],
    // Keeping the owner takes no new slot; giving an account's or duplicate's lead to its owner does.
    counts: method !== "existing_owner" && repKey !== undefined,
  };
}

function keepExistingOwner(ctx: Context): RoutingDecision | undefined {
  const { lead, rules } = ctx.input;
  if (!lead.ownerId) {
    ctx.steps.push("existing owner: none");
    return undefined;
  }
  if (rules.existingOwner !== "keep") {
    ctx.steps.push(`existing owner ${lead.ownerId}: the SLA says reassign`);
    return undefined;
  }
  const usable = ownerUsable(ctx, lead.ownerId);
  if (!usable.ok) {
    ctx.steps.push(`existing owner not kept: ${usable.why}`);
    return undefined;
  }
  return direct(
    ctx,
    "existing_owner",
    lead.ownerId,
    usable.repKey,
    `kept existing owner ${lead.ownerId} (SLA: keep)`,
  );
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

function accountOwner(ctx: Context): RoutingDecision | undefined {
  const { lead, rules, accounts } = ctx.input;
  if (!rules.accountMatch) return undefined;
  const domain = emailDomain(lead.email);
  if (!domain) {
    ctx.steps.push("account match: the lead has no e-mail domain");
    return undefined;
  }
  if (isIgnoredDomain(domain, rules.ignoredDomains)) {
    ctx.steps.push(`account match: ${domain} is a free-mail or disposable domain, ignored`);
    return undefined;
  }
  const exact = (a: AccountCandidate): boolean => a.domain === undefined || a.domain.toLowerCase() === domain;
  const ranked = accounts
    .map((a) => ({
      a,
      usable: a.ownerId ? ownerUsable(ctx, a.ownerId) : ({ ok: false, why: "no owner" } as const),
    }))
    .sort(
      (x, y) =>
        Number(y.usable.ok) - Number(x.usable.ok) ||
        Number(exact(y.a)) - Number(exact(x.a)) ||
        (y.a.employees ?? -1) - (x.a.employees ?? -1) ||
        compareIds(x.a.id, y.a.id),
    );
  if (ranked.length === 0) {
    ctx.steps.push(`account match: no account with domain ${domain}`);
    return undefined;
  }
  const best = ranked[0] as (typeof ranked)[number];
  const others = ranked
    .slice(1)
    .map(({ a, usable }) => `${a.id}${usable.ok ? "" : ` (${usable.why})`}`)
    .join(", ");
  if (!best.usable.ok) {
    ctx.steps.push(
      `account match: ${ranked.map(({ a, usable }) => `${a.id} ${usable.ok ? "" : usable.why}`).join("; ")}; routed on`,
    );
    return undefined;
  }
  const tie =
    ranked.length > 1
      ? `; ${ranked.length} accounts match ${domain}, picked by active owner, exact domain, most employees, lowest id (others: ${others})`
      : "";
  const a = best.a;
  return direct(
    ctx,
    "account_owner",
    a.ownerId as string,
    best.usable.repKey,
    `account ${a.id} (${domain}) is owned by ${best.usable.repKey ?? a.ownerId}${tie}`,
  );
}

function duplicateOwner(ctx: Context): RoutingDecision | undefined {
  const dups = [...ctx.input.duplicates].sort(
    (x, y) => (y.updatedAt ?? "").localeCompare(x.updatedAt ?? "") || compareIds(x.id, y.id),
  );
  const skipped: string[] = [];
  for (const d of dups) {
    if (!d.ownerId) continue;
    const usable = ownerUsable(ctx, d.ownerId);
    if (!usable.ok) {
      skipped.push(`${d.id}: ${usable.why}`);
      continue;
    }
    const more =
      dups.length > 1 ? `; the most recently updated of ${dups.length} duplicates with an active owner` : "";
    return direct(
      ctx,
      "duplicate_owner",
      d.ownerId,
      usable.repKey,
      `duplicate ${d.id} is owned by ${usable.repKey ?? d.ownerId}${more}`,
    );
  }
  if (dups.length > 0)
    ctx.steps.push(`duplicates: none with a usable owner (${skipped.join("; ") || "no owners"})`);
  return undefined;
}

function eligibility(
  ctx: Context,
  repKey: string,
  pool: Pool | undefined,
  options: { ignoreHours?: boolean; ignoreCaps?: boolean } = {},
): Eligibility {
  const { rules, repStates, holidays } = ctx.input;
  const rep: Rep | undefined = rules.reps[repKey];
  return checkEligibility(rep, ctx.owners, repStates[repKey], pool, holidays, ctx.now, {
    ...options,
    ...(rules.daysOff?.length ? { daysOff: rules.daysOff } : {}),
  });
}

function roundRobin(ctx: Context): RoutingDecision {
  const { lead, rules } = ctx.input;
  const plan = planPool(lead, rules);
  ctx.steps.push(plan.step);
  const where = {
    ...(plan.territory !== undefined ? { territory: plan.territory } : {}),
    ...(plan.pool !== undefined ? { pool: plan.pool } : {}),
  };
  const pool = plan.pool === undefined ? undefined : rules.pools[plan.pool];
  if (!pool) {
    const why =
      plan.pool === undefined ? "no pool for this lead" : `pool ${plan.pool} is not defined in the SLA`;
    return fallback(ctx, where, [], why);
  }

  const candidates: CandidateReport[] = [];
  const members: RotationMember[] = pool.members.map((m) => {
    const rep = rules.reps[m.rep];
    let e = eligibility(ctx, m.rep, pool);
    if (e.eligible && m.weight <= 0) e = { eligible: false, kind: "zero_weight", reason: "weight 0" };
    if (rep && ctx.input.excludeOwnerIds?.includes(rep.crmId) === true)
      e = { eligible: false, kind: "previous_assignee", reason: "previous assignee" };
    candidates.push({
      rep: m.rep,
      ...(rep ? { ownerId: rep.crmId } : {}),
      eligible: e.eligible,
      ...(e.eligible ? {} : { skipped: e.reason }),
      weight: m.weight,
    });
    return {
      rep: m.rep,
      weight: m.weight,
      eligible: e.eligible,
      absent: !e.eligible && ABSENCE_KINDS.has(e.kind),
    };
  });

  // Fairness is keyed like the store keys it: by the pool's key in the SLA.
  const rotation = rotate(pool, members, ctx.input.fairness[plan.pool as string]);
  for (const c of candidates) {
    const credit = rotation.state.reps[c.rep]?.credit;
    if (credit !== undefined) c.credit = credit;
  }
  ctx.steps.push(...rotation.notes);
  if (rotation.chosen === undefined) {
    const why = `no eligible rep in pool ${plan.pool as string}${plan.territory ? ` (territory ${plan.territory})` : ""}: ${candidates
      .map((c) => `${c.rep}: ${c.skipped ?? "eligible"}`)
      .join("; ")}`;
    return { ...fallback(ctx, where, candidates, why), fairness: rotation.state };
  }
  const chosen = rules.reps[rotation.chosen] as Rep;
  const skipped = candidates.filter((c) => !c.eligible);
  const eligibleNames = candidates.filter((c) => c.eligible).map((c) => c.rep);
  const reason =
    `${rotation.chosen} by weighted round robin in pool ${plan.pool as string}` +
    ` (eligible: ${eligibleNames.join(", ")}` +
    (skipped.length > 0 ? `; skipped ${skipped.map((c) => `${c.rep}: ${c.skipped ?? ""}`).join("; ")}` : "") +
    ")";
  ctx.steps.push(reason);
  return {
    method: "round_robin",
    ownerId: chosen.crmId,
    repKey: rotation.chosen,
    ...where,
    reason,
    steps: ctx.steps,
    candidates,
    counts: true,
    fairness: rotation.state,
  };
}

function fallback(
  ctx: Context,
  where: { territory?: string; pool?: string },
  candidates: CandidateReport[],
  why: string,
): RoutingDecision {
  const { fallback: fb } = ctx.input.rules;
  const queue = fb.queue?.toLowerCase();
  const ownerId =
    fb.ownerId ??
    ctx.input.owners.find((o) => o.kind === "queue" && queue !== undefined && o.name?.toLowerCase() === queue)
      ?.id;
  const target = fb.queue ?? fb.ownerId;
  const reason =
    ownerId === undefined
      ? `${why}; the fallback ${target ? `"${target}" is not among the CRM's owners` : "is not set (set routing.fallback)"}, the owner is left unchanged`
      : `${why}; sent to the fallback ${target ?? ownerId}`;
  ctx.steps.push(reason);
  return {
    method: "fallback",
    ...(ownerId !== undefined ? { ownerId } : {}),
    ...where,
    reason,
    steps: ctx.steps,
    candidates,
    counts: false,
  };
}
