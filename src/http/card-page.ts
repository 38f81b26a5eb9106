import { escapeHtml, pageLink, safeHref } from "../adapters/notify/escape-html";
import type { CardAxis, CardReason, HandoffCard } from "../domain/handoff-card";

export interface CardPageOptions {
  /** Per-response CSP nonce for the inline style and script. */
  nonce: string;
  /** Where Accept / Reject POST JSON. @default "/cards/feedback" */
  feedbackUrl?: string;
  /** Proof that this page was served for this lead (see card-routes `signFeedbackToken`). */
  feedbackToken: string;
  /** Shown in the footer: "Preview", "Salesforce". */
  surface?: string;
}

const CRM_NAMES = { hubspot: "HubSpot", salesforce: "Salesforce" } as const;

/** "2026-11-23 10:00 UTC"; the page's script replaces it with the reader's local time. */
function utc(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function time(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(utc(iso))}</time>`;
}

function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? "?") + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "")
  ).toUpperCase();
}

function axisBar(label: string, a: CardAxis, testId: string): string {
  const mark =
    a.thresholdPercent === undefined
      ? ""
      : `<span class="mark" style="left:${a.thresholdPercent}%" title="MQL minimum ${a.threshold}"></span>`;
  const meets = a.meetsThreshold === undefined ? "" : a.meetsThreshold ? " meets" : " below";
  const min = a.threshold === undefined ? "" : ` <span class="muted">/ MQL ≥ ${a.threshold}</span>`;
  return `<div class="axis${meets}" data-testid="${testId}">
  <div class="axis-head"><span>${escapeHtml(label)}</span><span><b>${a.points}</b>${min}</span></div>
  <div class="track" role="meter" aria-label="${escapeHtml(label)} score" aria-valuemin="${a.min}" aria-valuemax="${a.max}" aria-valuenow="${a.points}">
    <span class="fill" style="width:${a.percent}%"></span>${mark}
  </div>
</div>`;
}

function reasonRows(reasons: CardReason[]): string {
  if (reasons.length === 0) return `<p class="muted">No rule has scored this lead yet.</p>`;
  const groups: [CardReason["axis"], string][] = [
    ["fit", "Fit"],
    ["engagement", "Engagement"],
    ["other", "Other"],
  ];
  return groups
    .map(([axis, title]) => {
      const rows = reasons.filter((r) => r.axis === axis);
      if (rows.length === 0) return "";
      const items = rows
        .map(
          (r) => `<li class="reason ${r.points < 0 ? "neg" : "pos"}">
  <span class="pts">${r.points > 0 ? "+" : ""}${r.points}</span>
  <span class="ev">${escapeHtml(r.evidence)} <span class="rule">${escapeHtml(r.rule)}</span></span>
  <span class="rbar"><span style="width:${r.barPercent}%"></span></span>
</li>`,
        )
        .join("");
      return `<h4>${title}</h4><ul class="reasons">${items}</ul>`;
    })
    .join("");
}

function followUpPanel(card: HandoffCard): string {
  const f = card.followUp;
  if (!f)
    return `<section class="panel"><h3>Follow-up</h3><p class="muted">No follow-up clock for this lead.</p></section>`;
  return `<section class="panel followup ${f.status}" aria-labelledby="fu-h">
  <h3 id="fu-h">Follow up</h3>
  <p class="countdown" id="countdown" data-testid="countdown" data-due="${escapeHtml(f.dueAt)}" data-status="${f.status}" aria-live="polite">${escapeHtml(f.countdown)}</p>
  <div class="track small"><span class="fill" id="countdown-bar" style="width:${f.percentLeft}%"></span></div>
  <p class="muted">Due ${time(f.dueAt)}${f.businessHours ? " · business hours" : ""} · window ${escapeHtml(formatWindow(f.totalMinutes))}</p>
  ${f.tier === undefined ? "" : `<p class="muted" data-testid="follow-up-tier" title="${escapeHtml((f.tierReasons ?? []).join("; "))}">SLA tier: <b>${escapeHtml(f.tier)}</b></p>`}
  ${f.nextTouchDueAt === undefined ? "" : `<p class="muted" data-testid="next-touch">Next touch due ${time(f.nextTouchDueAt)}</p>`}
</section>`;
}

function formatWindow(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 1440) return `${Math.round((minutes / 60) * 10) / 10} h`;
  return `${Math.round((minutes / 1440) * 10) / 10} d`;
}

function activitySection(card: HandoffCard): string {
  const conv = card.lastConversion
    ? `<p data-testid="last-conversion"><b>${escapeHtml(card.lastConversion.label)}</b> · ${time(card.lastConversion.occurredAt)} <span class="muted">(${escapeHtml(card.lastConversion.ago)})</span>${card.lastConversion.isTrigger ? ` <span class="tag">this handoff</span>` : ""}</p>`
    : `<p class="muted" data-testid="last-conversion">No conversion recorded.</p>`;
  const form = card.formSubmitted
    ? `<h3>Form just submitted</h3>
<p data-testid="form-submitted"><b>${escapeHtml(card.formSubmitted.name)}</b>${card.formSubmitted.url ? ` on ${escapeHtml(card.formSubmitted.url)}` : ""} <span class="muted">(${escapeHtml(card.formSubmitted.ago)})</span></p>
${
  card.formSubmitted.fields.length
    ? `<dl class="fields">${card.formSubmitted.fields
        .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`)
        .join("")}</dl>`
    : ""
}`
    : "";
  const views = card.recentViews.length
    ? `<ol class="views" data-testid="recent-views">${card.recentViews
        .map(
          (v) =>
            `<li>${pageLink(v.label, v.url, ' target="_blank" rel="noopener noreferrer"')} <span class="muted">${escapeHtml(v.ago)}</span></li>`,
        )
        .join("")}</ol>`
    : `<p class="muted" data-testid="recent-views">No content views recorded.</p>`;
  const source = card.recentViewsSource
    ? `<p class="muted" data-testid="recent-views-source">${escapeHtml(card.recentViewsSource)}</p>`
    : "";
  const notes = card.notes.length
    ? `<ul class="plain muted" data-testid="card-notes">${card.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`
    : "";
  return `<section class="panel" aria-labelledby="act-h">
  <h3 id="act-h">Last conversion</h3>${conv}
  ${form}
  <h3>Last five content views</h3>${views}${source}${notes}
</section>`;
}

function ownerSection(card: HandoffCard): string {
  const o = card.owner;
  if (!o) return `<section class="panel"><h3>Owner</h3><p class="muted">Not routed yet.</p></section>`;
  const reasons = o.reasons.length
    ? `<ul class="plain">${o.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>`
    : `<p class="muted">No routing reasons recorded.</p>`;
  return `<section class="panel" aria-labelledby="own-h">
  <h3 id="own-h">Owner</h3>
  <p data-testid="owner"><b>${escapeHtml(o.name)}</b></p>
  <h4>Why they got it</h4>${reasons}
</section>`;
}

function cadenceSection(card: HandoffCard): string {
  const c = card.cadence;
  if (!c) return "";
  return `<section class="panel" aria-labelledby="cad-h">
  <h3 id="cad-h">Cadence <span class="tag ${c.status}">${escapeHtml(c.status.replace("_", " "))}</span></h3>
  <p>${escapeHtml(c.summary)}</p>
</section>`;
}

function feedbackSection(card: HandoffCard): string {
  const f = card.feedback;
  if (f.status !== "pending") {
    const reason = f.reasonLabel ? `: ${escapeHtml(f.reasonLabel)}` : "";
    return `<section class="panel decision" data-testid="feedback"><p><b>${f.status === "accepted" ? "Accepted" : "Rejected"}</b>${reason}${f.at ? ` · ${time(f.at)}` : ""}</p></section>`;
  }
  const options = f.rejectReasons
    .map((r) => `<option value="${escapeHtml(r.value)}">${escapeHtml(r.label)}</option>`)
    .join("");
  return `<section class="panel decision" data-testid="feedback" aria-labelledby="dec-h">
  <h3 id="dec-h">Your call</h3>
  <div class="actions">
    <button type="button" class="btn primary" id="accept">Accept</button>
    <label class="reason-label" for="reject-reason">Reason</label>
    <select id="reject-reason" name="reason">
      <option value="">Choose a reason…</option>${options}
    </select>
    <button type="button" class="btn danger" id="reject">Reject</button>
  </div>
  <p class="error" id="feedback-error" role="alert" hidden></p>
  <p class="done" id="feedback-done" role="status" hidden></p>
</section>`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f3f5f8;color:#1f2933}
main{max-width:980px;margin:0 auto;padding:20px}
header.card-head{display:flex;gap:16px;align-items:center;background:#fff;border-radius:10px;padding:16px 20px;box-shadow:0 1px 2px rgba(16,24,40,.08)}
.avatar{flex:none;width:52px;height:52px;border-radius:50%;background:#0b6bcb;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:18px}
.who{flex:1;min-width:0}
h1{font-size:22px;margin:0}
h3{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#5f6b7a;margin:14px 0 8px}
h3:first-child{margin-top:0}
h4{font-size:13px;margin:10px 0 4px;color:#3e4c59}
.muted{color:#6b7785}
.tag{display:inline-block;font-size:12px;font-weight:600;padding:2px 8px;border-radius:999px;background:#e4e7eb;color:#3e4c59;vertical-align:middle}
.tag.stage{background:#e0ecfb;color:#0b4f96}
.tag.pending{background:#fff4d6;color:#8a5a00}.tag.accepted,.tag.complete{background:#dcf5e3;color:#16663a}.tag.rejected,.tag.behind{background:#fde2e1;color:#a3231a}
.why{margin-top:12px;background:#fffaeb;border:1px solid #f7d68a;border-radius:10px;padding:10px 16px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:12px}
@media (max-width:720px){.grid{grid-template-columns:1fr}header.card-head{flex-wrap:wrap}}
.panel{background:#fff;border-radius:10px;padding:14px 18px;box-shadow:0 1px 2px rgba(16,24,40,.08)}
.span2{grid-column:1/-1}
.total{font-size:40px;font-weight:700;line-height:1}
.axis{margin:10px 0}.axis-head{display:flex;justify-content:space-between}
.track{position:relative;height:10px;background:#e4e7eb;border-radius:5px;overflow:visible}
.track.small{height:6px;margin:6px 0}
.fill{display:block;height:100%;border-radius:5px;background:#0b6bcb}
.axis.meets .fill{background:#1b7f3b}.axis.below .fill{background:#d98e04}
.mark{position:absolute;top:-4px;width:2px;height:18px;background:#1f2933}
ul.reasons{list-style:none;margin:0;padding:0}
.reason{display:grid;grid-template-columns:48px 1fr 120px;gap:8px;align-items:center;padding:3px 0}
.pts{font-weight:700;text-align:right}.pos .pts{color:#1b7f3b}.neg .pts{color:#b42318}
.rule{font-size:11px;color:#8a96a3;margin-left:4px}
.rbar{height:8px;background:#eef1f4;border-radius:4px}.rbar span{display:block;height:100%;border-radius:4px}
.pos .rbar span{background:#47b26b}.neg .rbar span{background:#e0584f}
.countdown{font-size:26px;font-weight:700;margin:0}
.followup.due_soon .countdown{color:#b25e00}.followup.overdue .countdown{color:#b42318}.followup.done .countdown{color:#1b7f3b}
.followup.overdue .fill{background:#b42318}.followup.due_soon .fill{background:#d98e04}
ol.views,ul.plain{margin:0;padding-left:20px}
.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:#6b7785}
a{color:#0b6bcb}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
dt{color:#6b7785}dd{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.btn{font:inherit;font-weight:600;border:0;border-radius:6px;padding:8px 16px;cursor:pointer}
.btn.primary{background:#1b7f3b;color:#fff}.btn.danger{background:#b42318;color:#fff}
.btn[disabled]{opacity:.5;cursor:default}
select{font:inherit;padding:7px;border:1px solid #c5ccd3;border-radius:6px}
select[aria-invalid=true]{border-color:#b42318;outline:2px solid #f6c1bd}
.reason-label{margin-left:12px;color:#5f6b7a}
.error{color:#b42318;font-weight:600;margin:8px 0 0}.done{color:#16663a;font-weight:600;margin:8px 0 0}
footer{margin-top:14px;font-size:12px;color:#8a96a3;text-align:center}
`;

// Ticks the countdown, shows times in the reader's zone, and sends Accept / Reject. No external assets.
const SCRIPT = `(function(){
var data=JSON.parse(document.getElementById("handoff-data").textContent);
function fmt(m){m=Math.round(Math.abs(m));if(m<60)return m+" min";if(m<1440){var r=m%60;return Math.floor(m/60)+" h"+(r?" "+r+" min":"")}var h=Math.floor(m%1440/60);return Math.floor(m/1440)+" d"+(h?" "+h+" h":"")}
document.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.getAttribute("datetime"));if(!isNaN(d))t.textContent=d.toLocaleString([], {dateStyle:"medium",timeStyle:"short"})});
var cd=document.getElementById("countdown");
if(cd&&cd.dataset.status!=="done"){var due=Date.parse(cd.dataset.due);var tick=function(){var left=(due-Date.now())/60000;var p=cd.closest(".followup");
if(left<0){cd.textContent=fmt(left)+" overdue";p.className="panel followup overdue"}else{cd.textContent="due in "+fmt(left)}};tick();setInterval(tick,15000)}
var accept=document.getElementById("accept"),reject=document.getElementById("reject"),sel=document.getElementById("reject-reason");
var err=document.getElementById("feedback-error"),done=document.getElementById("feedback-done");
function show(el,text){el.textContent=text;el.hidden=false}
function send(decision,reason){err.hidden=true;accept.disabled=reject.disabled=true;
var body={connectionId:data.connectionId,leadId:data.leadId,decision:decision,token:data.token};if(reason)body.reason=reason;
fetch(data.feedbackUrl,{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify(body)}).then(function(r){
return r.json().catch(function(){return {}}).then(function(j){if(!r.ok)throw new Error(j.message||("HTTP "+r.status));
show(done,decision==="accept"?"Accepted. The lead is yours.":"Rejected. Marketing will see why.");sel.disabled=true})}).catch(function(e){
accept.disabled=reject.disabled=false;show(err,"Could not save: "+e.message)})}
if(accept){accept.addEventListener("click",function(){send("accept")});
reject.addEventListener("click",function(){if(!sel.value){sel.setAttribute("aria-invalid","true");show(err,"Choose a reason to reject this lead.");sel.focus();return}
sel.removeAttribute("aria-invalid");send("reject",sel.value)});
sel.addEventListener("change",function(){if(sel.value){sel.removeAttribute("aria-invalid");err.hidden=true}})}
})();`;

/** JSON inside <script>: `<` is escaped so that no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The handoff card as one self-contained HTML page (inline CSS and script under a CSP nonce, no external
 * assets): who, why now, scores with the point-by-point breakdown, the follow-up countdown, the owner and why,
 * the last conversion, the form just submitted, the last five content views, and Accept / Reject-with-reason.
 * Every CRM value is escaped.
 * @example res.send(renderCardPage(card, { nonce, feedbackToken }));
 */
export function renderCardPage(card: HandoffCard, options: CardPageOptions): string {
  const nonce = escapeHtml(options.nonce);
  const crmName = CRM_NAMES[card.crm];
  const statusTag = `<span class="tag ${card.feedback.status}" data-testid="status">${card.feedback.status}</span>`;
  const record = card.who.recordUrl
    ? `<a href="${safeHref(card.who.recordUrl)}" target="_blank" rel="noopener noreferrer">Open in ${crmName}</a>`
    : "";
  const data = {
    connectionId: card.connectionId,
    leadId: card.leadId,
    token: options.feedbackToken,
    feedbackUrl: options.feedbackUrl ?? "/cards/feedback",
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Handoff: ${escapeHtml(card.who.name)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<header class="card-head">
  <div class="avatar" aria-hidden="true">${escapeHtml(initials(card.who.name))}</div>
  <div class="who">
    <h1 data-testid="lead-name">${escapeHtml(card.who.name)}</h1>
    <div>${escapeHtml(card.who.headline)}${card.who.location ? ` <span class="muted">· ${escapeHtml(card.who.location)}</span>` : ""}</div>
    <div>${record}</div>
  </div>
  <div><span class="tag stage" data-testid="stage">${escapeHtml(card.stage.label)}</span> ${statusTag}</div>
</header>
<div class="why" data-testid="why-now"><b>Why now:</b> ${escapeHtml(card.whyNow.headline)} <span class="muted">(${escapeHtml(card.whyNow.ago)})</span></div>
<div class="grid">
<section class="panel" aria-labelledby="score-h" data-testid="score">
  <h3 id="score-h">Score</h3>
  <div class="total" data-testid="score-total">${card.score.total}</div>
  ${axisBar("Fit", card.score.fit, "score-fit")}
  ${axisBar("Engagement", card.score.engagement, "score-engagement")}
</section>
${followUpPanel(card)}
<section class="panel span2" aria-labelledby="bd-h" data-testid="breakdown">
  <h3 id="bd-h">Point-by-point breakdown</h3>
  ${reasonRows(card.score.reasons)}
</section>
${activitySection(card)}
${ownerSection(card)}
${cadenceSection(card)}
<div class="span2">${feedbackSection(card)}</div>
</div>
<footer>Handoff${options.surface ? ` · ${escapeHtml(options.surface)}` : ""}${card.slaVersion !== undefined ? ` · SLA v${card.slaVersion}` : ""} · generated ${time(card.generatedAt)}</footer>
</main>
<script type="application/json" id="handoff-data">${scriptJson(data)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
