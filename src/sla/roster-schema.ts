/**
 * The roster file `handoff preview --roster` reads (JSON): who is active, reps' load and absences, accounts and
 * duplicates to match. Validated like the SLA: every problem with the file and the field, and how to fix it.
 */
import { z } from "zod";
import { AppError } from "../domain/errors";
import type { Roster } from "../domain/routing-simulation";

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), {
  error: "not an instant — write ISO-8601, e.g. 2026-11-23T09:00:00Z",
});
const count = z.number().int().nonnegative({ error: "expected a whole number from 0" });

const rosterSchema = z.strictObject({
  owners: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        active: z.boolean(),
        kind: z.enum(["person", "queue"]),
        name: z.string().optional(),
      }),
      { error: 'expected a list of owners — e.g. [{ "id": "80001", "active": true, "kind": "person" }]' },
    )
    .optional(),
  repStates: z
    .record(
      z.string(),
      z.strictObject({
        open: count,
        today: count,
        week: count,
        away: z
          .strictObject({ reason: z.string().optional(), since: iso.optional(), until: iso.optional() })
          .optional(),
        ooo: z.array(z.strictObject({ from: iso, to: iso, reason: z.string().optional() })).optional(),
        caps: z
          .strictObject({ open: count.optional(), perDay: count.optional(), perWeek: count.optional() })
          .optional(),
      }),
      { error: 'expected rep key → state — e.g. { "anna": { "open": 3, "today": 1, "week": 2 } }' },
    )
    .optional(),
  accounts: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        domain: z.string().optional(),
        ownerId: z.string().optional(),
        employees: z.number().optional(),
      }),
    )
    .optional(),
  duplicates: z
    .record(
      z.string(),
      z.array(
        z.strictObject({ id: z.string().min(1), ownerId: z.string().optional(), updatedAt: iso.optional() }),
      ),
    )
    .optional(),
  holidays: z.record(z.string(), z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))).optional(),
});

/**
 * Parses and validates a roster's text.
 * @throws AppError `roster_invalid` listing every problem as `file: field: what — fix`
 */
export function parseRoster(text: string, file: string): Roster {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError("roster_invalid", `${file}: not JSON (${(cause as Error).message})`, {
      hint: 'A roster is one JSON object, e.g. { "owners": [...], "repStates": { "anna": { "open": 3, "today": 1, "week": 2 } } }.',
      cause,
    });
  }
  const parsed = rosterSchema.safeParse(json);
  if (parsed.success) return parsed.data as Roster;
  const lines = parsed.error.issues.map((i) => {
    const where = i.path.length > 0 ? i.path.map(String).join(".") : "(top level)";
    const known =
      i.code === "unrecognized_keys" ? ` (known: owners, repStates, accounts, duplicates, holidays)` : "";
    return `${file}: ${where}: ${i.message}${i.path.length === 0 ? known : ""}`;
  });
  throw new AppError("roster_invalid", lines.join("\n"), {
    hint: "Fix the fields listed; every key is optional, and unknown keys are refused so that typos show.",
  });
}
