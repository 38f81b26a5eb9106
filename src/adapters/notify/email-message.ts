import { buildTaskSnapshot, namedTier, truncate } from "../../domain/task-snapshot";
import { escapeHtml, pageLink, safeHref } from "./escape-html";
import type { HandoffNotification } from "./handoff-notification";

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * The handoff as an e-mail: the task snapshot as plain text, and a compact HTML version with inline styles
 * (mail clients ignore style sheets). Every CRM value is escaped.
 * @example const { subject, text, html } = buildEmailMessage(notification);
 */
export function buildEmailMessage(n: HandoffNotification): EmailMessage {
  const c = n.card;
  const recordUrl = n.links.record ?? c.who.recordUrl;
  const company = c.who.company ? ` (${c.who.company})` : "";
  const subject = truncate(`New lead for you: ${c.who.name}${company}, score ${c.score.total}`, 200);
  const text = `${buildTaskSnapshot(c, { cardUrl: n.links.card, maxLength: 20_000 }).description}\n`;

  const row = (label: string, value: string) =>
    `<tr><td style="padding:4px 12px 4px 0;color:#5f6b7a;vertical-align:top">${escapeHtml(label)}</td>` +
    `<td style="padding:4px 0">${value}</td></tr>`;
  const rows = [
    row(
      "Why now",
      `${escapeHtml(c.whyNow.headline)} <span style="color:#5f6b7a">(${escapeHtml(c.whyNow.ago)})</span>`,
    ),
    row(
      "Score",
      `<b>${c.score.total}</b> &middot; fit ${c.score.fit.points} &middot; engagement ${c.score.engagement.points}`,
    ),
    row("Stage", escapeHtml(c.stage.label)),
  ];
  if (c.followUp) {
    rows.push(
      row(
        "Follow up by",
        `${escapeHtml(c.followUp.dueAt)} <b>(${escapeHtml(c.followUp.countdown)})</b>${escapeHtml(namedTier(c.followUp.tier))}`,
      ),
    );
  }
  if (c.owner) {
    rows.push(
      row(
        "Owner",
        `${escapeHtml(c.owner.name)}<br><small>${c.owner.reasons.map(escapeHtml).join("; ")}</small>`,
      ),
    );
  }
  if (c.lastConversion) {
    rows.push(
      row("Last conversion", `${escapeHtml(c.lastConversion.label)} (${escapeHtml(c.lastConversion.ago)})`),
    );
  }
  const reasons = c.score.reasons
    .slice(0, 10)
    .map((r) => `<li style="color:${r.points < 0 ? "#b42318" : "#1b7f3b"}">${escapeHtml(r.label)}</li>`)
    .join("");
  const views = c.recentViews
    .map((v) => `<li>${pageLink(v.label, v.url)} (${escapeHtml(v.ago)})</li>`)
    .join("");
  const recordLink = recordUrl
    ? ` &middot; <a href="${safeHref(recordUrl)}">Open in ${c.crm === "hubspot" ? "HubSpot" : "Salesforce"}</a>`
    : "";
  const html = `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;font-size:14px">
<h2 style="margin:0 0 4px">${escapeHtml(c.who.name)}</h2>
<div style="color:#5f6b7a;margin-bottom:12px">${escapeHtml(c.who.headline)}</div>
<table style="border-collapse:collapse">${rows.join("")}</table>
${reasons ? `<h3 style="margin:16px 0 4px">Why this score</h3><ul>${reasons}</ul>` : ""}
${views ? `<h3 style="margin:16px 0 4px">Last five content views</h3><ol>${views}</ol>` : ""}
<p><a href="${safeHref(n.links.card)}" style="background:#0b6bcb;color:#fff;padding:8px 14px;border-radius:4px;text-decoration:none">Open the handoff card</a>${recordLink}</p>
</body></html>`;
  return { subject, text, html };
}
