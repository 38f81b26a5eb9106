/**
 * Preview: run a draft SLA over sample leads (NDJSON) and show, per lead, the score breakdown and the
 * stage decision — nothing is written anywhere. Other areas add columns (routing) through preview steps.
 */
import { z } from "zod";
import type { Activity, Lead } from "../domain/lead";
import { qualifyLead, type LifecycleEvent, type StageDecision } from "../domain/lifecycle";
import type { ScoreBreakdown } from "../domain/scoring";
import type { Sla } from "../domain/sla";
import { ACTIVITY_KINDS } from "./schema";

const STAGES = ["subscriber", "lead", "nurture", "mql", "sql", "opportunity", "customer", "other"] as const;
const text = z.string();
const idLike = z.union([z.string().min(1), z.number()]).transform(String);

const activitySchema = z.object({
  kind: z.enum(ACTIVITY_KINDS),
  occurredAt: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { error: "expected an ISO-8601 instant" }),
  url: text.optional(),
  title: text.optional(),
  name: text.optional(),
  id: text.optional(),
});

const leadSchema = z.object({
  id: idLike,
  email: text.optional(),
  firstName: text.optional(),
  lastName: text.optional(),
  company: text.optional(),
  jobTitle: text.optional(),
  seniority: text.optional(),
  industry: text.optional(),
  employees: z.number().optional(),
  annualRevenue: z.number().optional(),
  country: text.optional(),
  state: text.optional(),
  postalCode: z.union([text, z.number()]).transform(String).optional(),
  city: text.optional(),
  businessModel: text.optional(),
  leadSource: text.optional(),
  stage: z.enum(STAGES).optional(),
  crmStage: text.optional(),
  leadStatus: text.optional(),
  ownerId: idLike.optional(),
  createdAt: text.optional(),
  updatedAt: text.optional(),
  utm: z.object({ source: text.optional(), medium: text.optional(), campaign: text.optional() }).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});

const historySchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("stage_set"),
    stage: z.enum(STAGES),
    at: text,
    by: z.enum(["handoff", "person"]),
    actor: text.optional(),
  }),
  z.object({ type: z.literal("rejected"), at: text, reason: text, by: text.optional() }),
  z.object({ type: z.literal("accepted"), at: text, by: text.optional() }),
]);

/** One NDJSON line: `{ "lead": {…}, "activities": […], "history": […] }` or the lead itself with those keys. */
const wrappedLineSchema = z.object({
  lead: leadSchema,
  activities: z.array(activitySchema).default([]),
  history: z.array(historySchema).default([]),
});
const bareLineSchema = leadSchema
  .extend({ activities: z.array(activitySchema).default([]), history: z.array(historySchema).default([]) })
  .transform(({ activities, history, ...lead }) => ({ lead, activities, history }));

export interface PreviewInput {
  /** 1-based line in the NDJSON file. */
  line: number;
  lead: Lead;
  activities: Activity[];
  history: LifecycleEvent[];
}

export interface PreviewInputError {
  line: number;
  message: string;
}

export interface LeadPreview {
  line: number;
  leadId: string;
  score: ScoreBreakdown;
  decision: StageDecision;
  /** Columns added by preview steps (e.g. `routing`): printable lines plus data for `--json`. */
  extra: Record<string, { lines: string[]; data: unknown }>;
}

/** Something that adds a column to each preview row, in lead order (e.g. a sequential routing simulation). */
export interface PreviewStep {
  name: string;
  run(row: LeadPreview, input: PreviewInput, sla: Sla, context: PreviewContext): void | Promise<void>;
}

/** What every step gets besides the lead: the instant previewed and the command's options. */
export interface PreviewContext {
  /** ISO instant the preview is evaluated at. */
  at: string;
  /** `--roster <file>`, for steps that simulate routing. */
  roster?: string;
  /** Steps may keep state across leads here (e.g. round-robin pointers in a sequential simulation). */
  state: Map<string, unknown>;
}

const steps: PreviewStep[] = [];

/** Registers a preview step (routing registers one); steps run in registration order for every lead. */
export function addPreviewStep(step: PreviewStep): void {
  if (!steps.some((s) => s.name === step.name)) steps.push(step);
}

export function previewSteps(): readonly PreviewStep[] {
  return steps;
}

/** Parses NDJSON sample leads; every bad line is reported with its number, good lines still preview. */
export function parsePreviewLeads(ndjson: string): { inputs: PreviewInput[]; errors: PreviewInputError[] } {
  const inputs: PreviewInput[] = [];
  const errors: PreviewInputError[] = [];
  ndjson.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("//")) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      errors.push({ line, message: "not valid JSON — one JSON object per line" });
      return;
    }
    const wrapped = json !== null && typeof json === "object" && "lead" in json;
    const parsed = wrapped ? wrappedLineSchema.safeParse(json) : bareLineSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`);
      errors.push({ line, message: issues.join("; ") });
      return;
    }
    const { lead, activities, history } = parsed.data;
    inputs.push({
      line,
      lead: lead as Lead,
      activities: activities as Activity[],
      history: history as LifecycleEvent[],
    });
  });
  return { inputs, errors };
}

/** Scores and stages one lead at `at`: the per-lead preview that steps extend. */
export function previewLead(input: PreviewInput, sla: Sla, at: Date | string): LeadPreview {
  const { score, decision } = qualifyLead(input.lead, input.activities, input.history, sla, at);
  return { line: input.line, leadId: input.lead.id, score, decision, extra: {} };
}

/** Previews every lead in order, running the registered steps after each. */
export async function previewLeads(
  inputs: readonly PreviewInput[],
  sla: Sla,
  at: Date | string,
  options: { roster?: string; steps?: readonly PreviewStep[] } = {},
): Promise<LeadPreview[]> {
  const context: PreviewContext = {
    at: typeof at === "string" ? new Date(Date.parse(at)).toISOString() : at.toISOString(),
    state: new Map(),
    ...(options.roster === undefined ? {} : { roster: options.roster }),
  };
  const rows: LeadPreview[] = [];
  for (const input of inputs) {
    const row = previewLead(input, sla, at);
    for (const step of options.steps ?? steps) await step.run(row, input, sla, context);
    rows.push(row);
  }
  return rows;
}

const STAGE_LABEL: Record<string, string> = { mql: "MQL", sql: "SQL" };

/** Human-readable block for one lead. */
export function formatLeadPreview(row: LeadPreview): string[] {
  const d = row.decision;
  const stage = STAGE_LABEL[d.stage] ?? d.stage;
  const verdict = d.handoff ? `→ ${stage}, handed to sales` : d.changed ? `→ ${stage}` : `stays ${stage}`;
  const lines = [
    `lead ${row.leadId} (line ${row.line}): ${verdict} [${d.action}]`,
    `  why: ${d.reason}`,
    `  fit ${row.score.fit} · engagement ${row.score.engagement} · total ${row.score.total}`,
  ];
  for (const r of row.score.reasons) {
    lines.push(`    ${r.evidence}${r.decay === undefined ? "" : `  (decayed: ${r.decay})`}  [${r.rule}]`);
  }
  if (row.score.missingFields.length > 0) lines.push(`  missing: ${row.score.missingFields.join(", ")}`);
  for (const [name, column] of Object.entries(row.extra)) {
    lines.push(`  ${name}:`);
    for (const line of column.lines) lines.push(`    ${line}`);
  }
  return lines;
}

/** The JSON object for one lead (`--json` prints one per line). */
export function leadPreviewJson(row: LeadPreview): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(row.extra)) extra[name] = column.data;
  return { line: row.line, leadId: row.leadId, score: row.score, decision: row.decision, ...extra };
}
