import { createHash } from "node:crypto";
import { AppError } from "../domain/errors";
import { routeLead } from "../domain/routing";
import { canonicalize, type RoutingDecision, type RoutingInput } from "../domain/routing-snapshot";
import { canonicalJson } from "../sla/canonical-hash";
import type { Sla } from "../domain/sla";
import type { AssignmentStore } from "../ports/assignments";
import { loadSlaFile } from "../sla/load-sla";

/** A draft SLA already parsed (the admin page's editor), named for the report. */
export interface ReplayDraft {
  sla: Sla;
  hash: string;
  label: string;
}

function fingerprint(decision: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(decision)).digest("hex").slice(0, 16)}`;
}

function describe(decision: RoutingDecision): string[] {
  const lines = [`  owner ${decision.ownerId ?? "(unchanged)"} by ${decision.method}: ${decision.reason}`];
  for (const c of decision.candidates) {
    lines.push(`    ${c.eligible ? "✓" : "✗"} ${c.rep}${c.skipped ? `: ${c.skipped}` : ""}`);
  }
  return lines;
}

export interface ReplayResult {
  /** Without a draft: the replay equals the stored decision. With a draft: the owner stays the same. */
  identical: boolean;
  /** Human-readable report, one line each. */
  lines: string[];
  stored: RoutingDecision;
  /** The decision re-computed from the stored inputs (with the draft's rules when one was given). */
  replayed: RoutingDecision;
}

/**
 * `handoff replay <decisionId> [--sla draft.yaml]`, `GET /admin/api/decisions/:id/replay` and the lead story's
 * "replay this decision": re-runs the router on the stored inputs. Without a draft the
 * result must equal the stored decision bit for bit (canonical JSON); with a draft, the draft's routing rules
 * replace the stored ones and the two decisions are shown side by side. `connectionId` scopes the lookup.
 */
export async function replayDecision(
  decisions: Pick<AssignmentStore, "getDecision">,
  decisionId: string,
  draftFile?: string | ReplayDraft,
  connectionId?: string,
): Promise<ReplayResult> {
  const stored = await decisions.getDecision(connectionId, decisionId);
  const storedInput = stored.inputs.routing as RoutingInput | undefined;
  const input = storedInput === undefined ? undefined : canonicalize(storedInput);
  const decision = stored.outcome.routing as RoutingDecision | undefined;
  if (!input || !decision) {
    throw new AppError("not_a_routing_decision", `decision ${decisionId} has no routing part to replay`, {
      hint: "It was recorded before routing (held or not qualified).",
    });
  }
  const lines = [
    `decision ${stored.id}: lead ${stored.leadId}, ${input.now}, SLA ${stored.slaHash ?? "(unknown)"}`,
    "stored:",
    ...describe(decision),
  ];
  if (draftFile === undefined) {
    const replayed = routeLead(input);
    const identical = canonicalJson(replayed) === canonicalJson(decision);
    lines.push(
      identical
        ? `replayed: identical, bit for bit (${fingerprint(decision)})`
        : `replayed: DIFFERENT (${fingerprint(decision)} stored, ${fingerprint(replayed)} now) — the router changed since`,
    );
    if (!identical) lines.push(...describe(replayed));
    return { identical, lines, stored: decision, replayed };
  }
  const draft =
    typeof draftFile === "string" ? { ...(await loadSlaFile(draftFile)), label: draftFile } : draftFile;
  const withDraft = routeLead({ ...input, rules: draft.sla.routing });
  const same = withDraft.ownerId === decision.ownerId;
  lines.push(`with ${draft.label} (${draft.hash}):`, ...describe(withDraft));
  lines.push(
    same
      ? "the draft gives the lead to the same owner"
      : `the draft changes the owner: ${decision.ownerId ?? "-"} → ${withDraft.ownerId ?? "-"}`,
  );
  return { identical: same, lines, stored: decision, replayed: withDraft };
}
