// The lead story: find a lead by CRM id or e-mail, then everything Handoff did with it on one page — events,
// score over time with reasons, lifecycle changes and who made them, each routing decision with every
// candidate, the SLA version, task, messages, follow-up clock and feedback; replay and "try a draft" inline.
/* global window, document */
"use strict";

(function () {
  const { $, h, fill, empty, api, failure, kpi, when } = window.HandoffUi;
  const C = window.HandoffCharts;
  let shown = null;

  const enc = encodeURIComponent;
  const conn = () => window.HandoffUi.connectionId();
  const words = (s) => String(s || "").replace(/_/g, " ");

  function table(testid, head, rows) {
    return h(
      "table",
      { class: "table", "data-testid": testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((x) => h("th", {}, x)),
        ),
      ),
      h("tbody", {}, rows),
    );
  }

  function section(title, testid, ...body) {
    return h(
      "section",
      { class: "card wide story-part", "data-testid": testid, "aria-label": title },
      h("div", { class: "card-head" }, h("h2", {}, title)),
      ...body,
    );
  }

  function slaLabel(sla) {
    if (!sla || !sla.hash) return "unknown SLA";
    const short = sla.hash.replace(/^sha256:/, "").slice(0, 10);
    return sla.version === null
      ? `SLA file (not published) · ${short}`
      : `${sla.name} v${sla.version} (${sla.status}) · ${short}`;
  }

  async function search(ev) {
    ev.preventDefault();
    const q = $("lead-q").value.trim();
    if (q === "") return;
    fill("lead-matches", h("p", { class: "muted" }, "Looking…"));
    try {
      const r = await api(`/leads?connectionId=${enc(conn())}&q=${enc(q)}`);
      if (r.leads.length === 1) {
        fill("lead-matches");
        window.location.hash = `#lead/${enc(r.leads[0].leadId)}`;
        return;
      }
      fill(
        "lead-matches",
        r.leads.length === 0
          ? empty(
              `No lead "${q}" in this connection.`,
              h("p", { class: "muted" }, "Search by the CRM record id or the exact e-mail address."),
            )
          : h(
              "ul",
              { class: "matches" },
              r.leads.map((m) =>
                h(
                  "li",
                  {},
                  h("a", { href: `#lead/${enc(m.leadId)}` }, m.leadId),
                  h(
                    "span",
                    { class: "muted" },
                    ` · ${m.stage || "no stage"} · last event ${when(m.lastEventAt)} · by ${m.matchedBy}`,
                  ),
                ),
              ),
            ),
      );
    } catch (err) {
      fill("lead-matches", failure(err, "the lead search"));
    }
  }

  function header(s) {
    const p = s.person || {};
    const st = s.state;
    return h(
      "section",
      { class: "card wide", "data-testid": "lead-header" },
      h(
        "div",
        { class: "card-head" },
        h("h2", {}, p.name || `Lead ${s.leadId}`, h("span", { class: "muted" }, ` · CRM id ${s.leadId}`)),
        h(
          "a",
          {
            href: `/cards/preview/${enc(s.connectionId)}/${enc(s.leadId)}`,
            target: "_blank",
            rel: "noopener",
          },
          "Open the card ↗",
        ),
      ),
      h("p", { class: "muted" }, [p.jobTitle, p.company, p.country, p.email].filter(Boolean).join(" · ")),
      h(
        "div",
        { class: "kpis" },
        kpi("stage now", st ? st.stage : "–"),
        kpi("fit", st ? String(st.fit) : "–"),
        kpi("engagement", st ? String(st.engagement) : "–"),
        kpi("total", st ? String(st.total) : "–"),
        kpi("events", String(s.events.length)),
        kpi("handoffs", String(s.handoffs.length)),
      ),
      st && st.heldReason ? h("p", { class: "bad" }, `Held: ${st.heldReason}`) : null,
      st && st.mergedInto ? h("p", { class: "muted" }, `Merged into ${st.mergedInto}`) : null,
    );
  }

  function scores(s) {
    if (s.scores.length === 0) {
      return section(
        "Score over time",
        "lead-scores",
        empty("No score recorded for this lead yet: scores are kept from the first event Handoff handles."),
      );
    }
    return section(
      "Score over time",
      "lead-scores",
      C.scoreLine(s.scores, Math.min(1200, $("lead-story").clientWidth - 40)),
      table(
        "score-table",
        ["When", "Fit", "Engagement", "Total", "Decision", "Why (each rule once)"],
        s.scores
          .slice()
          .reverse()
          .map((p) =>
            h(
              "tr",
              {},
              h("td", { class: "nowrap" }, when(p.at)),
              h("td", { class: "num" }, String(p.fit)),
              h("td", { class: "num" }, String(p.engagement)),
              h("td", { class: "num" }, h("b", {}, String(p.total))),
              h(
                "td",
                {},
                h("b", {}, p.stage),
                ` · ${p.action}`,
                h("div", { class: "muted small" }, p.reason),
              ),
              h(
                "td",
                {},
                h(
                  "details",
                  {},
                  h("summary", {}, `${p.reasons.length} reason${p.reasons.length === 1 ? "" : "s"}`),
                  h(
                    "ul",
                    { class: "reasons" },
                    p.reasons.map((r) =>
                      h(
                        "li",
                        { class: r.points < 0 ? "bad" : "" },
                        r.evidence,
                        h("span", { class: "muted" }, ` [${r.rule}${r.decay ? `, ${r.decay}` : ""}]`),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
      ),
    );
  }

  function events(s) {
    return section(
      "Events received",
      "lead-events",
      s.events.length === 0
        ? empty("No CRM event stored for this lead.")
        : table(
            "events-table",
            ["Happened", "Kind", "Source", "Change", "Status"],
            s.events.map((e) =>
              h(
                "tr",
                {},
                h("td", { class: "nowrap" }, when(e.occurredAt)),
                h("td", {}, words(e.kind)),
                h("td", { class: "mono" }, e.source || "–"),
                h("td", { class: "mono" }, e.property ? `${e.property} = ${e.value ?? ""}` : "–"),
                h(
                  "td",
                  {},
                  h("span", { class: `pill ${e.status === "parked" ? "bad" : "ok"}` }, e.status),
                  e.error ? h("div", { class: "muted small" }, `${e.error.code}: ${e.error.message}`) : null,
                ),
              ),
            ),
          ),
      s.events.length >= s.limits.events
        ? h("p", { class: "muted small" }, `The newest ${s.limits.events} events are shown.`)
        : null,
    );
  }

  function lifecycle(s) {
    return section(
      "Lifecycle changes and who made them",
      "lead-lifecycle",
      s.lifecycle.length === 0
        ? empty("No stage change recorded.")
        : table(
            "lifecycle-table",
            ["When", "Change", "By", "Reason"],
            s.lifecycle.map((l) =>
              h(
                "tr",
                {},
                h("td", { class: "nowrap" }, when(l.at)),
                h("td", {}, l.type === "stage_set" ? `stage → ${l.stage}` : words(l.type)),
                h(
                  "td",
                  {},
                  l.by === "person"
                    ? `a person in the CRM${l.actor ? ` (user ${l.actor})` : ""}`
                    : l.by || "–",
                ),
                h("td", {}, l.reason ? words(l.reason) : "–"),
              ),
            ),
          ),
    );
  }

  function replayBox(s, d) {
    const out = h("div", { class: "replay", "aria-live": "polite" });
    const run = async (draft) => {
      out.replaceChildren(h("p", { class: "muted" }, "Replaying…"));
      try {
        const r = await api(`/leads/${enc(s.connectionId)}/${enc(s.leadId)}/decisions/${enc(d.id)}/replay`, {
          method: "POST",
          body: JSON.stringify(draft ? { draft } : {}),
        });
        out.replaceChildren(
          h(
            "p",
            { "data-testid": "replay-verdict", class: r.identical ? "ok" : "bad" },
            r.withDraft
              ? r.identical
                ? "The draft gives the lead to the same owner."
                : `The draft changes the owner: ${r.stored.ownerId || "–"} → ${r.replayed.ownerId || "–"}`
              : r.identical
                ? "Replayed: identical, bit for bit."
                : "Replayed: DIFFERENT — the router changed since this decision.",
          ),
          h("pre", { class: "lines" }, r.lines.join("\n")),
        );
      } catch (err) {
        out.replaceChildren(failure(err, "the replay"));
      }
    };
    return h(
      "div",
      {},
      h(
        "div",
        { class: "row" },
        h(
          "button",
          { type: "button", class: "small", "data-testid": "replay", onclick: () => run() },
          "Replay this decision",
        ),
        h(
          "button",
          {
            type: "button",
            class: "small ghost",
            onclick: () => {
              const draft = window.HandoffUi.draft && window.HandoffUi.draft();
              if (!draft) {
                out.replaceChildren(
                  empty("Write or load a draft on the SLA page first; it is tried here with one click."),
                );
                return;
              }
              run(draft);
            },
          },
          "Route it with the draft SLA",
        ),
      ),
      out,
    );
  }

  function decisions(s) {
    const routed = s.decisions.filter((d) => d.routing);
    return section(
      "Routing decisions",
      "lead-decisions",
      routed.length === 0
        ? empty("This lead was never routed: it did not qualify, or it was held.")
        : routed.map((d) =>
            h(
              "div",
              { class: "decision", "data-decision": d.id },
              h(
                "h3",
                {},
                `${when(d.at)} · `,
                h("b", {}, d.routing.repKey || d.routing.ownerId || "no owner"),
                h("span", { class: "muted" }, ` by ${words(d.routing.method)} · ${slaLabel(d.sla)}`),
              ),
              h("p", {}, d.routing.reason),
              d.score
                ? h(
                    "p",
                    { class: "muted small" },
                    `Score at the decision: fit ${d.score.fit} · engagement ${d.score.engagement} · total ${d.score.total}` +
                      (d.stage ? ` → ${d.stage.stage} (${d.stage.reason})` : ""),
                  )
                : null,
              d.routing.steps.length
                ? h(
                    "ol",
                    { class: "steps small" },
                    d.routing.steps.map((x) => h("li", {}, x)),
                  )
                : null,
              d.routing.candidates.length === 0
                ? h("p", { class: "muted" }, "No rep was a candidate (owner rule or fallback).")
                : table(
                    "candidates",
                    ["Rep", "", "Why"],
                    d.routing.candidates.map((c) =>
                      h(
                        "tr",
                        { class: c.chosen ? "chosen" : "" },
                        h("td", {}, h("b", {}, c.rep), c.weight && c.weight !== 1 ? ` ×${c.weight}` : ""),
                        h(
                          "td",
                          {},
                          h(
                            "span",
                            { class: `pill ${c.chosen ? "ok" : c.eligible ? "" : "bad"}` },
                            c.chosen ? "chosen" : c.eligible ? "eligible" : "skipped",
                          ),
                        ),
                        h("td", {}, c.why),
                      ),
                    ),
                  ),
              replayBox(s, d),
            ),
          ),
    );
  }

  function handoffs(s) {
    return section(
      "Task, messages, follow-up clock and feedback",
      "lead-handoffs",
      s.handoffs.length === 0
        ? empty("Not handed over to sales.")
        : s.handoffs.map((x) =>
            h(
              "div",
              { class: "handoff" },
              h(
                "h3",
                {},
                `Handed to ${x.ownerName || x.repKey || x.ownerId || "–"} on ${when(x.startedAt)} `,
                h(
                  "span",
                  {
                    class: `pill ${x.status === "accepted" ? "ok" : x.status === "rejected" ? "bad" : "warn"}`,
                  },
                  x.status,
                ),
              ),
              h(
                "div",
                { class: "kpis" },
                kpi("task", x.taskId || x.noTask || "not created"),
                kpi("first touch due", when(x.dueAt)),
                kpi(
                  "first touch",
                  x.firstTouchAt ? when(x.firstTouchAt) : "not yet",
                  x.firstTouchAt && x.firstTouchAt <= x.dueAt ? "ok" : x.firstTouchAt ? "bad" : "",
                ),
                kpi(
                  "feedback",
                  x.status === "rejected"
                    ? `rejected: ${words(x.rejectReason)}`
                    : x.status === "accepted"
                      ? "accepted"
                      : "none yet",
                  x.status === "rejected" ? "bad" : x.status === "accepted" ? "ok" : "",
                ),
              ),
              h(
                "p",
                { class: "small" },
                h("b", {}, "Messages: "),
                x.notifications.length === 0
                  ? "none"
                  : x.notifications
                      .map(
                        (n) =>
                          `${n.channel} ${n.status}${n.sentAt ? ` ${when(n.sentAt)}` : ""}${n.lastError ? ` (${n.lastError})` : ""}`,
                      )
                      .join(" · "),
              ),
              x.followUp.length
                ? table(
                    "follow-up",
                    ["Clock step", "Due", "Status", "What happened"],
                    x.followUp.map((f) =>
                      h(
                        "tr",
                        {},
                        h("td", {}, words(f.step)),
                        h("td", { class: "nowrap" }, when(f.dueAt)),
                        h("td", {}, f.status),
                        h("td", {}, f.outcome || "–"),
                      ),
                    ),
                  )
                : null,
              x.cadence
                ? h(
                    "p",
                    { class: "small" },
                    `Cadence: ${x.cadence.callsDone}/${x.cadence.callsRequired} calls, ${x.cadence.emailsDone}/${x.cadence.emailsRequired} e-mails by ${when(x.cadence.windowEnd)} (${words(x.cadence.status)})`,
                  )
                : null,
              x.reassignedTo
                ? h(
                    "p",
                    { class: "bad small" },
                    `Reassigned ${when(x.reassignedTo.at)}: ${x.reassignedTo.reason}`,
                  )
                : null,
            ),
          ),
    );
  }

  function draftPanel(s) {
    const out = h("div", { "aria-live": "polite" });
    const run = async () => {
      const draft = window.HandoffUi.draft && window.HandoffUi.draft();
      if (!draft) {
        out.replaceChildren(
          empty("Write or load a draft on the SLA page first; it is tried here with one click."),
        );
        return;
      }
      out.replaceChildren(h("p", { class: "muted" }, "Trying the draft…"));
      try {
        const r = await api(`/leads/${enc(s.connectionId)}/${enc(s.leadId)}/draft`, {
          method: "POST",
          body: JSON.stringify({ draft }),
        });
        const side = (label, x) =>
          h(
            "div",
            { class: "side" },
            h("h3", {}, `${label} (v${x.slaVersion})`),
            h(
              "div",
              { class: "kpis" },
              kpi("total", String(x.total)),
              kpi("stage", x.stage),
              kpi("handed over", x.handoff ? "yes" : "no"),
            ),
            h("p", { class: "muted small" }, x.reason),
          );
        out.replaceChildren(
          h(
            "div",
            { class: "split", "data-testid": "draft-on-lead" },
            side("Live", r.live),
            side("Draft", r.draft),
          ),
          r.reasons.live.length || r.reasons.draft.length
            ? h(
                "ul",
                { class: "changes" },
                r.reasons.live.map((x) => h("li", { class: "removed" }, h("span", { class: "sym" }, "−"), x)),
                r.reasons.draft.map((x) => h("li", { class: "added" }, h("span", { class: "sym" }, "+"), x)),
              )
            : h("p", { class: "muted" }, "The same scoring reasons under both."),
          r.decisions.map((d) =>
            h(
              "p",
              { class: d.sameOwner ? "ok" : "bad" },
              d.sameOwner
                ? `Same owner (${d.liveOwner || "–"})`
                : `Owner ${d.liveOwner || "–"} → ${d.draftOwner || "–"}`,
            ),
          ),
        );
      } catch (err) {
        out.replaceChildren(failure(err, "the draft on this lead"));
      }
    };
    return section(
      "What would the draft SLA do?",
      "lead-draft",
      s.canTryDraft
        ? h(
            "button",
            { type: "button", "data-testid": "try-draft", onclick: run },
            "Try the SLA page's draft on this lead",
          )
        : empty(
            "Handoff holds no snapshot of this lead (it was never routed): preview sample leads on the SLA page.",
          ),
      out,
    );
  }

  async function showLead(leadId) {
    fill("lead-story", h("p", { class: "muted" }, "Loading the story…"));
    try {
      const s = await api(`/leads/${enc(conn())}/${enc(leadId)}`);
      shown = `${conn()}/${leadId}`;
      fill(
        "lead-story",
        header(s),
        scores(s),
        decisions(s),
        handoffs(s),
        lifecycle(s),
        events(s),
        draftPanel(s),
      );
      document.body.dataset.story = leadId;
    } catch (err) {
      fill("lead-story", failure(err, "this lead's story"));
      document.body.dataset.story = "none";
    }
  }

  $("lead-search").addEventListener("submit", search);
  window.HandoffUi.views.lead = {
    show(leadId) {
      if (!leadId) {
        shown = null;
        fill("lead-story");
        $("lead-q").focus();
        return;
      }
      if (conn() === null) return;
      if (shown !== `${conn()}/${leadId}`) showLead(leadId);
    },
  };
})();
