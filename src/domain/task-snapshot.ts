/**
 * The follow-up task's subject and plain-text body: the handoff card frozen at handoff time, so a rep sees
 * who, why now and what they did without any app installed (Salesforce Task `Description`, HubSpot task body).
 */
import { DEFAULT_TIER } from "./follow-up-tier";
import type { HandoffCard } from "./handoff-card";

/** Salesforce Task `Description` ("Comments") holds 32,000 characters (reference/salesforce.md §2.5). */
export const SALESFORCE_TASK_DESCRIPTION_MAX = 32_000;
/** Salesforce Task `Subject` is a 255-character field. */
export const SALESFORCE_TASK_SUBJECT_MAX = 255;

export interface TaskSnapshot {
  subject: string;
  description: string;
}

export interface TaskSnapshotOptions {
  /** @default SALESFORCE_TASK_DESCRIPTION_MAX */
  maxLength?: number;
  /** @default SALESFORCE_TASK_SUBJECT_MAX */
  maxSubjectLength?: number;
  /** Link to the live card (preview page or Canvas), added at the end. */
  cardUrl?: string;
}

/** Cuts `text` to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Subject and body for the follow-up task, within the CRM's length limits. Long lists (breakdown, routing
 * reasons, form answers) are cut first, so the header lines always survive.
 * @example const { subject, description } = buildTaskSnapshot(card, { cardUrl });
 */
export function buildTaskSnapshot(card: HandoffCard, options: TaskSnapshotOptions = {}): TaskSnapshot {
  const maxLength = options.maxLength ?? SALESFORCE_TASK_DESCRIPTION_MAX;
  const maxSubject = options.maxSubjectLength ?? SALESFORCE_TASK_SUBJECT_MAX;
  const company = card.who.company ? ` (${card.who.company})` : "";
  const subject = truncate(`Follow up: ${card.who.name}${company}, score ${card.score.total}`, maxSubject);

  const head: string[] = [
    `${card.who.name}${card.who.headline ? `, ${card.who.headline}` : ""}`,
    `Why now: ${card.whyNow.headline} (${card.whyNow.occurredAt})`,
    `Stage: ${card.stage.label}`,
    `Score ${card.score.total}: fit ${card.score.fit.points}${threshold(card.score.fit.threshold)}, engagement ${card.score.engagement.points}${threshold(card.score.engagement.threshold)}`,
  ];
  if (card.followUp) {
    head.push(
      `Follow up by: ${card.followUp.dueAt}${card.followUp.businessHours ? " (business hours)" : ""}${namedTier(card.followUp.tier)}`,
    );
  }
  if (card.who.recordUrl) head.push(`Record: ${card.who.recordUrl}`);

  const sections: { title: string; lines: string[] }[] = [
    { title: "Score breakdown", lines: card.score.reasons.map((r) => `${r.label} [${r.rule}]`) },
    {
      title: "Last conversion",
      lines: card.lastConversion
        ? [`${card.lastConversion.label}${at(card.lastConversion.url)} (${card.lastConversion.occurredAt})`]
        : ["none"],
    },
    {
      title: "Last five content views",
      lines: [
        ...(card.recentViews.length
          ? card.recentViews.map((v) => `${v.label}${at(v.url)} (${v.occurredAt})`)
          : ["none recorded"]),
        ...(card.recentViewsSource ? [card.recentViewsSource] : []),
      ],
    },
    ...(card.notes.length ? [{ title: "Not shown", lines: card.notes }] : []),
  ];
  if (card.formSubmitted) {
    sections.push({
      title: `Form just submitted: ${card.formSubmitted.name} (${card.formSubmitted.occurredAt})`,
      lines: card.formSubmitted.fields.map((f) => `${f.label}: ${f.value}`),
    });
  }
  if (card.owner) {
    sections.push({ title: `Why ${card.owner.name} got this lead`, lines: card.owner.reasons });
  }
  if (card.cadence) sections.push({ title: "Cadence", lines: [card.cadence.summary] });
  const tail = options.cardUrl ? `\nLive card: ${options.cardUrl}` : "";

  const headText = head.join("\n");
  const budget = maxLength - headText.length - tail.length;
  const body = fitSections(sections, budget);
  return { subject, description: truncate(`${headText}${body}${tail}`, maxLength) };
}

function threshold(value: number | undefined): string {
  return value === undefined ? "" : ` (MQL ≥ ${value})`;
}

function at(url: string | undefined): string {
  return url ? ` – ${url}` : "";
}

/** Renders sections into `budget` characters, dropping the last lines of each section when needed. */
function fitSections(sections: { title: string; lines: string[] }[], budget: number): string {
  const render = (perSection: number) =>
    sections
      .map((s) => {
        const shown = s.lines.slice(0, perSection).map((l) => `- ${truncate(l, 500)}`);
        const hidden = s.lines.length - shown.length;
        if (hidden > 0) shown.push(`- … and ${hidden} more`);
        return `\n\n${s.title}${shown.length ? `\n${shown.join("\n")}` : ""}`;
      })
      .join("");
  const longest = Math.max(0, ...sections.map((s) => s.lines.length));
  for (let perSection = longest; perSection >= 1; perSection = Math.floor(perSection / 2)) {
    const text = render(perSection);
    if (text.length <= budget) return text;
  }
  return truncate(render(1), Math.max(0, budget));
}

/** " · SLA tier hot" for a named follow-up tier; nothing for the default terms (most SLAs have no tiers). */
export function namedTier(tier: string | undefined): string {
  return tier === undefined || tier === DEFAULT_TIER ? "" : ` · SLA tier ${tier}`;
}
