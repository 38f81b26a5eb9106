import type { HandoffCard } from "../../domain/handoff-card";
import { namedTier, truncate } from "../../domain/task-snapshot";
import type { HandoffNotification } from "./handoff-notification";

/** The Block Kit subset Handoff sends (reference/slack-and-email.md §3). */
export type SlackText = { type: "mrkdwn" | "plain_text"; text: string };
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text?: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | { type: "divider" }
  | {
      type: "actions";
      block_id: string;
      elements: {
        type: "button";
        action_id: string;
        text: SlackText;
        url: string;
        value: string;
        style?: "primary" | "danger";
      }[];
    };

export interface SlackMessage {
  /** Notification and screen-reader fallback; Slack wants it next to `blocks`. */
  text: string;
  blocks: SlackBlock[];
}

// Block Kit limits: section text 3000, field 2000, button text 75, header 150, value/block_id 2000/255.
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const HEADER_MAX = 150;
const BUTTON_MAX = 75;
const URL_MAX = 3000;

/** Slack mrkdwn treats `&`, `<` and `>` as control characters; CRM data must not inject links or mentions. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function link(url: string | undefined, label: string): string {
  const safe = escapeSlack(label).replace(/\|/g, "¦");
  return url && /^https?:\/\//.test(url) && url.length <= URL_MAX ? `<${url}|${safe}>` : safe;
}

function mrkdwn(text: string, max = SECTION_MAX): SlackText {
  return { type: "mrkdwn", text: truncate(text, max) };
}

/** Slack's `<!date^…>` token shows the time in each reader's own time zone, with a fallback. */
function slackDate(iso: string, fallback: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds)
    ? `<!date^${seconds}^{date_short_pretty} {time}|${escapeSlack(fallback)}>`
    : fallback;
}

/**
 * The handoff as a Slack message: who and why now, the scores with the top reasons, the deadline, the owner,
 * what they did, and buttons that open the card and the record. Buttons carry only the opaque handoff id.
 * @example const { text, blocks } = buildSlackMessage(notification, "U0REP0001");
 */
export function buildSlackMessage(n: HandoffNotification, mentionUserId?: string): SlackMessage {
  const c: HandoffCard = n.card;
  const recordUrl = n.links.record ?? c.who.recordUrl;
  const company = c.who.company ? ` (${c.who.company})` : "";
  // The top-level text is read as mrkdwn too, so it is escaped like the blocks.
  const text = truncate(
    escapeSlack(`New lead for you: ${c.who.name}${company}, score ${c.score.total}. ${c.whyNow.headline}`),
    300,
  );
  const mention = mentionUserId ? `<@${mentionUserId}> ` : "";

  const fields: SlackText[] = [
    mrkdwn(
      `*Score ${c.score.total}*\nfit ${c.score.fit.points} · engagement ${c.score.engagement.points}`,
      FIELD_MAX,
    ),
    mrkdwn(`*Stage*\n${escapeSlack(c.stage.label)}`, FIELD_MAX),
  ];
  if (c.owner) fields.push(mrkdwn(`*Owner*\n${escapeSlack(c.owner.name)}`, FIELD_MAX));
  if (c.followUp) {
    fields.push(
      mrkdwn(
        `*Follow up by*\n${slackDate(c.followUp.dueAt, c.followUp.dueAt)} (${c.followUp.countdown})${escapeSlack(namedTier(c.followUp.tier))}`,
        FIELD_MAX,
      ),
    );
  }
  if (c.lastConversion) {
    fields.push(
      mrkdwn(
        `*Last conversion*\n${link(c.lastConversion.url, c.lastConversion.label)}, ${c.lastConversion.ago}`,
        FIELD_MAX,
      ),
    );
  }

  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(`New lead: ${c.who.name}${company}`, HEADER_MAX) },
    },
    {
      type: "section",
      text: mrkdwn(
        `${mention}*${link(recordUrl, c.who.name)}*${c.who.headline ? `, ${escapeSlack(c.who.headline)}` : ""}\n` +
          `*Why now:* ${escapeSlack(c.whyNow.headline)} (${c.whyNow.ago})`,
      ),
    },
    { type: "section", fields },
  ];
  const top = c.score.reasons.slice(0, 5).map((r) => `• ${escapeSlack(r.label)}`);
  if (top.length) {
    const more = c.score.reasons.length - top.length;
    blocks.push({
      type: "section",
      text: mrkdwn(
        `*Why this score*\n${top.join("\n")}${more > 0 ? `\n_and ${more} more on the card_` : ""}`,
      ),
    });
  }
  if (c.owner?.reasons.length) {
    blocks.push({
      type: "context",
      elements: [mrkdwn(`Why ${escapeSlack(c.owner.name)}: ${c.owner.reasons.map(escapeSlack).join("; ")}`)],
    });
  }
  if (c.recentViews.length) {
    blocks.push({
      type: "context",
      elements: [mrkdwn(`Last views: ${c.recentViews.map((v) => link(v.url, v.label)).join(" · ")}`)],
    });
  }
  const buttons: Extract<SlackBlock, { type: "actions" }>["elements"] = [];
  if (n.links.card.length <= URL_MAX) {
    buttons.push({
      type: "button",
      action_id: "handoff_open_card",
      text: { type: "plain_text", text: truncate("Open handoff card", BUTTON_MAX) },
      url: n.links.card,
      value: n.handoffId,
      style: "primary",
    });
  }
  if (recordUrl && /^https?:\/\//.test(recordUrl) && recordUrl.length <= URL_MAX) {
    buttons.push({
      type: "button",
      action_id: "handoff_open_record",
      text: { type: "plain_text", text: c.crm === "hubspot" ? "Open in HubSpot" : "Open in Salesforce" },
      url: recordUrl,
      value: n.handoffId,
    });
  }
  if (buttons.length)
    blocks.push({ type: "actions", block_id: truncate(`handoff:${n.handoffId}`, 255), elements: buttons });
  return { text, blocks };
}
