// The Handoff admin dashboard: reads /admin/api/* with the admin cookie and draws each panel. Every panel
// loads on its own, so one failing report leaves the others readable; empty panels say what to do next.
/* global window, document, URLSearchParams, history */
"use strict";

(function () {
  const C = window.HandoffCharts;
  const {
    $,
    h,
    fill,
    empty,
    code,
    api,
    failure,
    kpi,
    minutes,
    when,
    day,
    slaVersionsTable,
    draftDelta,
    liveVsDraft,
  } = window.HandoffUi;
  const state = { connectionId: null, current: null, versions: [] };

  const q = () => `connectionId=${encodeURIComponent(state.connectionId)}`;

  // ---- panels ---------------------------------------------------------------------------------

  async function loadPace() {
    try {
      const r = await api(`/reports/pace?${q()}`);
      const p = r.pace;
      state.labels = r.labels;
      if (!p || !(p.commitment > 0)) {
        fill("pace-kpis");
        fill(
          "pace-chart",
          empty(
            "The SLA has no quarterly commitment.",
            h(
              "p",
              { class: "muted" },
              "Add ",
              code("commitment: { mql_per_quarter: 600 }"),
              " to the SLA file, have both teams sign it and publish it.",
            ),
          ),
        );
        return;
      }
      fill(
        "pace-kpis",
        kpi(
          `MQLs delivered in ${p.quarter}`,
          `${p.delivered} / ${p.commitment}`,
          "",
          "Handed over to sales so far this quarter",
        ),
        kpi("now per week", C.fmt(p.currentPerWeek), "", "Average MQLs per elapsed week"),
        kpi(
          "needed per week",
          C.fmt(p.neededPerWeek),
          p.onTrack ? "" : "bad",
          `To still reach ${p.commitment} in the ${C.fmt(p.weeksRemaining)} weeks left`,
        ),
        kpi("projected at quarter end", C.fmt(p.projected), p.onTrack ? "ok" : "bad"),
        kpi(
          p.shortfall > 0 ? "shortfall" : "on track",
          p.shortfall > 0 ? `−${C.fmt(p.shortfall)}` : "✓",
          p.shortfall > 0 ? "bad" : "ok",
        ),
      );
      const chart = C.paceChart(p, $("pace-chart").clientWidth);
      fill(
        "pace-chart",
        chart,
        p.delivered === 0
          ? h(
              "p",
              { class: "muted center" },
              "No MQL handed over yet this quarter: leads appear here once they qualify.",
            )
          : null,
      );
    } catch (err) {
      fill("pace-kpis");
      fill("pace-chart", failure(err, "the pace report"));
    }
  }

  async function loadCompliance() {
    try {
      const r = await api(`/reports/compliance?${q()}`);
      fill(
        "compliance-kpis",
        kpi("first touch within", r.firstTouch || "–"),
        kpi("p50 to first touch", minutes(r.p50Minutes)),
        kpi("p90", minutes(r.p90Minutes)),
        kpi("on time", C.pct(r.onTimeRate), r.onTimeRate === null ? "" : r.onTimeRate >= 0.9 ? "ok" : "bad"),
        kpi("breaches", String(r.breaches), r.breaches > 0 ? "bad" : "ok"),
      );
      const reps = (r.byRep || []).slice().sort((a, b) => b.breaches - a.breaches || b.handoffs - a.handoffs);
      if (reps.length === 0) {
        fill(
          "compliance-chart",
          empty(
            "No handoffs in this window yet.",
            h("p", { class: "muted" }, "Follow-up clocks start when a lead is handed to a rep."),
          ),
        );
        return;
      }
      fill(
        "compliance-chart",
        C.hbars(
          reps.map((x) => ({
            label: x.repKey,
            // The report counts breaches (late touch, or no touch past the deadline); everything else was
            // touched in time or is still inside its deadline.
            segments: [
              {
                value: Math.max(0, x.handoffs - x.breaches),
                cls: "ok",
                title: `${x.repKey}: ${x.handoffs - x.breaches} on time or still within the deadline`,
              },
              { value: x.breaches, cls: "bad", title: `${x.repKey}: ${x.breaches} breaches` },
            ],
            note: `p50 ${minutes(x.p50Minutes)} · ${x.touched}/${x.handoffs} touched`,
          })),
          {
            name: "compliance",
            label: "Handoffs per rep: on time or open, breached",
            noteWidth: 160,
            labelWidth: 110,
            width: $("compliance-chart").clientWidth,
          },
        ),
      );
    } catch (err) {
      fill("compliance-kpis");
      fill("compliance-chart", failure(err, "follow-up compliance"));
    }
  }

  async function loadFeedback() {
    try {
      const r = await api(`/reports/feedback?${q()}`);
      fill("feedback-ring", C.ring(r.acceptanceRate, "Accepted by sales"));
      fill(
        "feedback-kpis",
        kpi(
          "accepted by sales",
          `${r.accepted} of ${r.accepted + r.rejected}`,
          "",
          "Of the MQLs sales gave feedback on",
        ),
        kpi("rejected", String(r.rejected), r.rejected > 0 ? "bad" : ""),
        kpi("waiting for feedback", String(r.pending)),
      );
      const reasons = (r.rejectReasons || []).filter((x) => x.count > 0);
      fill(
        "reasons-chart",
        reasons.length === 0
          ? empty(
              "No rejections yet.",
              h(
                "p",
                { class: "muted" },
                "When a rep rejects a lead from the card, the reason (from the SLA's list) shows here.",
              ),
            )
          : C.hbars(
              reasons.map((x) => ({
                label: x.reason.replace(/_/g, " "),
                segments: [{ value: x.count, cls: "bad" }],
                note: `${x.count}`,
              })),
              {
                name: "reasons",
                label: "Reject reasons",
                noteWidth: 50,
                width: $("reasons-chart").clientWidth,
              },
            ),
      );
      const rules = (r.rules || [])
        .filter((x) => x.mqls > 0)
        .sort((a, b) => b.mqls - a.mqls)
        .slice(0, 12);
      fill(
        "rules-chart",
        rules.length === 0
          ? empty(
              "No MQLs with scoring rules yet.",
              h(
                "p",
                { class: "muted" },
                "Each MQL credits the rules that scored it; their precision shows once sales accepts or rejects.",
              ),
            )
          : C.hbars(
              rules.map((x) => ({
                label: x.rule,
                segments: [
                  { value: x.accepted, cls: "ok", title: `${x.rule}: ${x.accepted} accepted` },
                  {
                    value: x.rejected,
                    cls: "bad",
                    title: `${x.rule}: ${x.rejected} rejected${x.rejectReasons && x.rejectReasons[0] ? ` (mostly ${x.rejectReasons[0].reason})` : ""}`,
                  },
                  {
                    value: Math.max(0, x.mqls - x.accepted - x.rejected),
                    cls: "open",
                    title: `${x.rule}: no feedback yet`,
                  },
                ],
                note: x.precision === null ? "no feedback" : `${C.pct(x.precision)} precise`,
              })),
              {
                name: "rules",
                label: "MQLs per scoring rule by sales feedback",
                labelWidth: 170,
                width: $("rules-chart").clientWidth,
              },
            ),
      );
    } catch (err) {
      fill("feedback-ring");
      fill("feedback-kpis");
      fill("reasons-chart", failure(err, "sales feedback"));
      fill("rules-chart", failure(err, "per-rule precision"));
    }
  }

  /** One row per rep: the bar is the share it got, the tick the share its weight and hours entitle it to. */
  function fairness(pool) {
    const max = Math.min(
      1,
      C.niceMax(Math.max(...pool.reps.map((r) => Math.max(r.expectedShare, r.actualShare))) * 1.1),
    );
    return C.hbars(
      pool.reps.map((r) => {
        const dev = Math.round(r.countDeviation * 100);
        return {
          label: r.weight === 1 ? r.repKey : `${r.repKey} ×${r.weight}`,
          segments: [
            {
              value: r.actualShare,
              cls: Math.abs(dev) > 10 ? "share off" : "share",
              title: `${r.repKey}: got ${C.pct(r.actualShare)} (${r.assigned} leads), entitled to ${C.pct(r.expectedShare)} (weight ${r.weight}, ${C.fmt(r.eligibleHours)} h eligible)`,
            },
          ],
          marker: r.expectedShare,
          note: pool.assigned === 0 ? "no leads yet" : `${dev > 0 ? "+" : ""}${dev} pts · ${r.assigned}`,
        };
      }),
      {
        name: "fairness",
        label: `Fairness in pool ${pool.pool}`,
        max,
        format: C.pct,
        labelWidth: 90,
        width: $("fairness-charts").clientWidth,
      },
    );
  }

  async function loadFairness() {
    try {
      const r = await api(`/reports/fairness?${q()}`);
      const pools = (r.pools || [])
        .filter((p) => p.reps && p.reps.length > 0)
        .sort((a, b) => b.assigned - a.assigned);
      fill(
        "fairness-charts",
        pools.length === 0
          ? empty(
              "No pool has assigned leads in this window.",
              h(
                "p",
                { class: "muted" },
                "Pools are defined under routing.pools in the SLA; shares appear after the first assignments.",
              ),
            )
          : pools.map((p) =>
              h(
                "div",
                { class: "pool" },
                h("h3", {}, `${p.pool} `, h("span", { class: "muted" }, `${p.assigned} leads`)),
                fairness(p),
              ),
            ),
      );
    } catch (err) {
      fill("fairness-charts", failure(err, "fairness"));
    }
  }

  function parkedRow(e) {
    const status = h("td", { class: "status" }, h("span", { class: "pill bad" }, "parked"));
    const button = h("button", { type: "button", class: "small", "data-testid": "replay" }, "Replay");
    const row = h(
      "tr",
      { "data-event-key": e.eventKey },
      h("td", {}, when(e.parkedAt)),
      h(
        "td",
        {},
        h("b", {}, e.kind.replace(/_/g, " ")),
        h(
          "div",
          { class: "muted mono" },
          `record ${e.objectId} · `,
          h(
            "a",
            {
              href: `/cards/preview/${encodeURIComponent(e.connectionId)}/${encodeURIComponent(e.objectId)}`,
              target: "_blank",
              rel: "noopener",
              title: "The handoff card of this lead, as sales sees it",
            },
            "card ↗",
          ),
        ),
      ),
      h("td", { class: "num" }, String(e.attempts)),
      h(
        "td",
        { class: "why" },
        e.error ? h("span", { class: "mono" }, e.error.code) : "–",
        e.error ? h("div", {}, e.error.message) : null,
        e.error && e.error.hint ? h("div", { class: "muted" }, e.error.hint) : null,
      ),
      status,
      h("td", {}, button),
    );
    button.addEventListener("click", async () => {
      button.disabled = true;
      button.textContent = "Replaying…";
      try {
        await api(`/parked/${encodeURIComponent(e.connectionId)}/${encodeURIComponent(e.eventKey)}/replay`, {
          method: "POST",
          body: "{}",
        });
        status.replaceChildren(h("span", { class: "pill ok" }, "queued again"));
        button.textContent = "Replayed";
        row.classList.add("done");
        updateParkedCount(-1);
      } catch (err) {
        status.replaceChildren(
          h(
            "span",
            { class: "pill bad", title: err.body && err.body.hint },
            err.status === 404 ? "already replayed" : "replay failed",
          ),
        );
        button.textContent = "Replay";
        button.disabled = err.status === 404;
      }
    });
    return row;
  }

  let parkedLeft = 0;
  function updateParkedCount(delta) {
    parkedLeft += delta;
    $("parked-count").textContent = parkedLeft === 0 ? "none waiting" : `${parkedLeft} waiting`;
  }

  const BREAKER_WORDS = {
    closed: "the CRM answers",
    open: "CRM calls paused after repeated failures; retried by itself",
    half_open: "testing whether the CRM answers again",
  };

  async function loadHealth() {
    try {
      const r = await api(`/health?${q()}`);
      const c = r.connections[0] ?? { waiting: 0, parked: 0, crm: "closed" };
      $("crm-health").textContent =
        `${c.waiting} event(s) waiting · ${c.parked} parked · ${BREAKER_WORDS[c.crm] ?? c.crm}`;
    } catch {
      $("crm-health").textContent = "";
    }
  }

  async function loadParked() {
    void loadHealth();
    try {
      const r = await api(`/parked?${q()}`);
      parkedLeft = 0;
      updateParkedCount(r.parked.length);
      if (r.parked.length === 0) {
        fill(
          "parked-body",
          empty(
            "No parked events: every event was processed.",
            h(
              "p",
              { class: "muted" },
              "An event is parked after its last retry, with the reason; fix the cause, then replay it here or with ",
              code("handoff replay --parked"),
              ".",
            ),
          ),
        );
        return;
      }
      fill(
        "parked-body",
        h(
          "table",
          { class: "table", "data-testid": "parked-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Parked"),
              h("th", {}, "Event"),
              h("th", { class: "num" }, "Attempts"),
              h("th", {}, "Why"),
              h("th", {}, "Status"),
              h("th", {}, ""),
            ),
          ),
          h("tbody", {}, r.parked.map(parkedRow)),
        ),
      );
    } catch (err) {
      fill("parked-body", failure(err, "parked events"));
    }
  }

  function repRow(key, rep) {
    const status = h("td");
    const action = h("td", { class: "actions" });
    function render(r) {
      if (r && r.away) {
        status.replaceChildren(
          h("span", { class: "pill bad" }, "away"),
          " ",
          r.awayReason || "",
          r.awayUntil ? h("span", { class: "muted" }, ` until ${day(r.awayUntil)}`) : null,
        );
        action.replaceChildren(
          h("button", { type: "button", class: "small", onclick: () => change("back", {}) }, "Mark back"),
        );
      } else {
        status.replaceChildren(h("span", { class: "pill ok" }, "available"));
        const reason = h("input", {
          type: "text",
          placeholder: "reason",
          "aria-label": `Reason ${key} is away`,
          class: "inline",
          required: true,
          maxlength: 200,
        });
        const until = h("input", { type: "date", "aria-label": `${key} away until`, class: "inline" });
        action.replaceChildren(
          h(
            "form",
            {
              class: "inline-form",
              onsubmit: (ev) => {
                ev.preventDefault();
                change("away", {
                  reason: reason.value.trim() || "away",
                  ...(until.value ? { until: until.value } : {}),
                });
              },
            },
            reason,
            until,
            h("button", { type: "submit", class: "small ghost" }, "Set away"),
          ),
        );
      }
      const parts = r && r.openParts;
      open.replaceChildren(
        r ? String(r.open) : "0",
        ...(parts
          ? [
              h(
                "div",
                { class: "muted small" },
                `${parts.handedOver} handed over` +
                  (parts.otherInCrm ? ` + ${parts.otherInCrm} more open in the CRM` : "") +
                  (parts.reconciledAt
                    ? ` · CRM count ${parts.crmOpen} at ${new Date(parts.reconciledAt).toLocaleString()}`
                    : " · not reconciled with the CRM yet"),
              ),
            ]
          : []),
      );
      caps.textContent = r && r.caps && r.caps.open !== null ? `cap ${r.caps.open}` : "SLA cap";
    }
    async function change(kind, body) {
      try {
        const r = await api(`/reps/${encodeURIComponent(key)}/${kind}`, {
          method: "POST",
          body: JSON.stringify({ connectionId: state.connectionId, ...body }),
        });
        render(r.rep);
      } catch (err) {
        status.append(h("div", { class: "bad" }, err.message));
      }
    }
    const open = h("td", { class: "num" });
    const caps = h("td", { class: "muted nowrap" });
    render(rep);
    return h("tr", { "data-rep": key }, h("td", {}, h("b", {}, key)), status, open, caps, action);
  }

  async function loadReps() {
    try {
      const r = await api(`/reps?${q()}`);
      const byKey = new Map(r.reps.map((x) => [x.repKey, x]));
      const keys = Array.from(
        new Set([...(state.current ? state.current.reps : []), ...byKey.keys()]),
      ).sort();
      if (keys.length === 0) {
        fill(
          "reps-body",
          empty(
            "No reps yet.",
            h(
              "p",
              { class: "muted" },
              "List them under reps: in the SLA with their CRM id, hours and time zone.",
            ),
          ),
        );
        return;
      }
      fill(
        "reps-body",
        h(
          "table",
          { class: "table", "data-testid": "reps-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Rep"),
              h("th", {}, "Status"),
              h("th", { class: "num" }, "Open"),
              h("th", {}, "Cap"),
              h("th", {}, ""),
            ),
          ),
          h(
            "tbody",
            {},
            keys.map((k) => repRow(k, byKey.get(k))),
          ),
        ),
      );
    } catch (err) {
      fill("reps-body", failure(err, "reps"));
    }
  }

  function renderVocabulary() {
    const cur = state.current;
    if (!cur) {
      fill(
        "vocabulary-body",
        empty(
          "No SLA stored for this connection.",
          h(
            "p",
            { class: "muted" },
            "Sign a file with ",
            code("handoff sla sign <file> --as marketing"),
            " — its vocabulary shows here.",
          ),
        ),
      );
      return;
    }
    fill(
      "vocabulary-body",
      h(
        "table",
        { class: "table vocab", "data-testid": "vocabulary" },
        h(
          "thead",
          {},
          h("tr", {}, h("th", {}, "Marketing says"), h("th", {}, ""), h("th", {}, "Sales says")),
        ),
        h(
          "tbody",
          {},
          cur.vocabulary.pairs.map((p) =>
            h(
              "tr",
              {},
              h("td", { class: "mkt" }, p.marketing),
              h("td", { class: "muted center" }, "⇄"),
              h("td", { class: "sales" }, p.sales),
            ),
          ),
        ),
      ),
      h(
        "p",
        { class: "muted small" },
        "Each row is one stage in both teams' words, from the SLA's vocabulary block.",
      ),
    );
  }

  function showDiff(a, b) {
    return window.HandoffUi.showSlaDiff($("sla-diff"), state.connectionId, a, b);
  }

  function renderVersions() {
    const versions = state.versions;
    const badge = $("sla-badge");
    const cur = state.current;
    badge.textContent = cur ? `${cur.name} v${cur.version}${cur.inForce ? "" : " (not in force)"}` : "no SLA";
    badge.className = `badge ${cur && cur.inForce ? "ok" : "bad"}`;
    if (versions.length === 0) {
      fill(
        "sla-body",
        empty(
          "No SLA version stored yet.",
          h(
            "p",
            { class: "muted" },
            "Both teams sign the same file (",
            code("handoff sla sign sla.yaml --as marketing|sales"),
            "), then ",
            code("handoff sla publish"),
            ".",
          ),
        ),
      );
      fill("sla-diff");
      return;
    }
    const pick = { a: versions[1] ? versions[1].hash : versions[0].hash, b: versions[0].hash };
    const radio = (side, v) =>
      h("input", {
        type: "radio",
        name: `diff-${side}`,
        value: v.hash,
        checked: pick[side] === v.hash,
        "aria-label": `compare ${side === "a" ? "from" : "to"} v${v.version}`,
        onchange: () => (pick[side] = v.hash),
      });
    fill(
      "sla-body",
      slaVersionsTable(versions, {
        testid: "sla-versions",
        last: {
          header: "From · To",
          title: "compare from / to",
          cell: (v) => h("td", { class: "center" }, radio("a", v), " ", radio("b", v)),
        },
      }),
      versions.length > 1
        ? h(
            "button",
            { type: "button", class: "small", onclick: () => showDiff(pick.a, pick.b) },
            "Show what changed",
          )
        : null,
    );
    fill("sla-diff");
  }

  async function loadSla() {
    try {
      const r = await api(`/sla/versions?${q()}`);
      state.versions = r.versions;
      state.current = r.current;
    } catch (err) {
      state.versions = [];
      state.current = null;
      fill("sla-body", failure(err, "SLA versions"));
      return;
    }
    renderVersions();
  }

  async function loadChannels() {
    try {
      const r = await api(`/reports/channels?${q()}`);
      const bySource = new Map();
      const weeks = Array.from(new Set((r.rows || []).map((row) => row.week))).sort();
      for (const row of r.rows || []) {
        const key = [row.source, row.medium, row.campaign].join(" · ");
        const acc = bySource.get(key) || {
          key,
          leads: 0,
          qualified: 0,
          accepted: 0,
          rejected: 0,
          byWeek: new Map(),
        };
        const week = acc.byWeek.get(row.week) || { leads: 0, qualified: 0 };
        week.leads += row.leads;
        week.qualified += row.qualified;
        acc.byWeek.set(row.week, week);
        acc.leads += row.leads;
        acc.qualified += row.qualified;
        acc.accepted += row.accepted;
        acc.rejected += row.rejected;
        bySource.set(key, acc);
      }
      const rows = Array.from(bySource.values())
        .sort((a, b) => b.leads - a.leads)
        .slice(0, 15);
      if (rows.length === 0) {
        fill(
          "channels-body",
          empty(
            "No scored leads in this window.",
            h(
              "p",
              { class: "muted" },
              "Tag campaigns with UTM parameters so marketing can compare channels here.",
            ),
          ),
        );
        return;
      }
      const rate = (n, d) => (d > 0 ? n / d : null);
      const meter = (v, cls) => [
        h(
          "span",
          { class: "meter" },
          h("span", { class: `meter-fill ${cls}`, "width%": Math.round((v || 0) * 100) }),
        ),
        h("span", { class: "meter-text" }, C.pct(v)),
      ];
      fill(
        "channels-body",
        h(
          "table",
          { class: "table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Source · medium · campaign"),
              h("th", { class: "num" }, "Leads"),
              h("th", { class: "num" }, "MQLs"),
              h("th", {}, "Qualified"),
              h("th", {}, "Accepted by sales"),
              h("th", {}, "Leads and MQLs per week"),
            ),
          ),
          h(
            "tbody",
            {},
            rows.map((x) =>
              h(
                "tr",
                {},
                h("td", {}, x.key),
                h("td", { class: "num" }, String(x.leads)),
                h("td", { class: "num" }, String(x.qualified)),
                h("td", {}, meter(rate(x.qualified, x.leads), "mkt")),
                h("td", {}, meter(rate(x.accepted, x.accepted + x.rejected), "ok")),
                h(
                  "td",
                  {},
                  C.spark(
                    weeks.map((w) => ({ label: w, ...(x.byWeek.get(w) || { leads: 0, qualified: 0 }) })),
                    `${x.key}: leads and MQLs per week`,
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      fill("channels-body", failure(err, "channels"));
    }
  }

  async function runForecast(ev) {
    ev.preventDefault();
    const draft = $("forecast-draft").value;
    if (draft.trim() === "") {
      fill(
        "forecast-body",
        empty("Paste a draft SLA first: the forecast replays past leads under it next to the live SLA."),
      );
      return;
    }
    fill("forecast-body", h("p", { class: "muted" }, "Replaying history under the draft…"));
    try {
      const since = encodeURIComponent($("forecast-since").value);
      const r = await api(`/forecast?${q()}&since=${since}`, {
        method: "POST",
        body: draft,
        contentType: "application/yaml",
      });
      const side = (s) =>
        h(
          "div",
          { class: "side" },
          h("h3", {}, `${s.label}: ${s.slaName} v${s.slaVersion}`),
          h(
            "div",
            { class: "kpis" },
            kpi("MQLs", String(s.mqls)),
            kpi("projected", C.fmt(s.pace.projected), s.pace.onTrack ? "ok" : "bad"),
            kpi("unrouted", String(s.unrouted), s.unrouted > 0 ? "bad" : ""),
            kpi("breach risk", C.pct(s.breachRisk.rate), s.breachRisk.rate > 0.1 ? "bad" : ""),
          ),
        );
      const over = r.draft.load.filter((l) => l.daysOverCap > 0 || l.weeksOverCap > 0);
      fill(
        "forecast-body",
        h(
          "p",
          {},
          draftDelta(r),
          ` vs live, replaying ${r.history.leads} leads and ${r.history.events} events since ${day(r.history.since)}.`,
        ),
        r.history.events < 20
          ? h(
              "p",
              { class: "bad" },
              "Little history to replay: the forecast firms up once more events are stored.",
            )
          : null,
        h("details", { class: "muted small" }, h("summary", {}, "What was replayed"), r.history.description),
        h("div", { class: "split" }, side(r.live), side(r.draft)),
        liveVsDraft(r, $("forecast-body").clientWidth),
        over.length > 0
          ? h(
              "p",
              { class: "bad" },
              `Over caps under the draft: ${over.map((l) => `${l.repKey} (${l.daysOverCap} days)`).join(", ")}`,
            )
          : h("p", { class: "muted" }, "No rep goes over a cap under the draft."),
      );
    } catch (err) {
      fill("forecast-body", failure(err, "forecasts"));
    }
  }

  async function loadConnection() {
    const tasks = [
      loadSla().then(() => Promise.all([loadReps(), loadPace().then(renderVocabulary)])),
      loadCompliance(),
      loadFeedback(),
      loadFairness(),
      loadParked(),
      loadChannels(),
    ];
    await Promise.allSettled(tasks);
    $("foot").textContent = `Updated ${new Date().toLocaleTimeString()} · connection ${state.connectionId}`;
    document.body.dataset.loaded = "true";
  }

  async function start() {
    let connections = [];
    // Synced pairs (HubSpot marketing + Salesforce sales): each side names the other in the picker.
    const paired = new Map();
    try {
      const [list, links] = await Promise.all([
        api("/connections"),
        api("/connection-links").catch(() => ({ links: [] })),
      ]);
      connections = list.connections;
      for (const l of links.links) {
        paired.set(l.marketingConnectionId, ` · marketing, synced to ${l.sales.name ?? l.salesConnectionId}`);
        paired.set(
          l.salesConnectionId,
          ` · sales, synced from ${l.marketing.name ?? l.marketingConnectionId}`,
        );
      }
    } catch (err) {
      $("main").prepend(failure(err, "connections"));
      return;
    }
    const select = $("connection");
    select.replaceChildren(
      ...connections.map((c) =>
        h(
          "option",
          { value: c.id },
          `${c.name} · ${c.crm === "hubspot" ? "HubSpot" : "Salesforce"}${paired.get(c.id) ?? ""}${c.status === "active" ? "" : " (disconnected)"}`,
        ),
      ),
    );
    if (connections.length === 0) {
      $("no-connection").hidden = false;
      for (const s of document.querySelectorAll("section.card")) s.hidden = true;
      document.body.dataset.loaded = "true";
      return;
    }
    const wanted = new URLSearchParams(window.location.search).get("connection");
    state.connectionId = connections.some((c) => c.id === wanted) ? wanted : connections[0].id;
    select.value = state.connectionId;
    window.HandoffUi.connectionId = () => state.connectionId;
    // A page that changed what the reports show (a published SLA) asks for them again.
    window.HandoffUi.reloadReports = () => loadConnection();
    select.addEventListener("change", () => {
      state.connectionId = select.value;
      history.replaceState(
        null,
        "",
        `?connection=${encodeURIComponent(state.connectionId)}${window.location.hash}`,
      );
      document.body.dataset.loaded = "false";
      loadConnection();
      showView();
    });
    $("refresh").addEventListener("click", () => {
      loadConnection();
      showView();
    });
    $("forecast-form").addEventListener("submit", runForecast);
    window.addEventListener("hashchange", showView);
    showView();
    await loadConnection();
  }

  /**
   * One page, three views: `#reports` (default), `#lead[/<leadId>]` and `#sla`. The views are links, so the
   * browser's back button and a bookmark bring the admin back to the same lead.
   */
  function showView() {
    const [name, ...rest] = window.location.hash.replace(/^#/, "").split("/");
    const view = name === "lead" || name === "sla" ? name : "reports";
    $("main").hidden = view !== "reports";
    $("lead-view").hidden = view !== "lead";
    $("sla-view").hidden = view !== "sla";
    for (const tab of document.querySelectorAll("nav.tabs a")) {
      if (tab.dataset.view === view) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    const arg = rest.map(decodeURIComponent).join("/");
    const page = window.HandoffUi.views[view];
    if (page) {
      page.show(arg);
      document.body.dataset.view = view;
    } else if (VIEW_SCRIPTS[view]) loadViewScript(view, arg);
    else document.body.dataset.view = view;
  }

  // The lead story and the SLA page load their code the first time they are opened, so the reports open light.
  const VIEW_SCRIPTS = { lead: "lead-story.js", sla: "sla-page.js" };
  const loading = new Set();
  function loadViewScript(view, arg) {
    if (loading.has(view)) return;
    loading.add(view);
    const script = document.createElement("script");
    script.src = `/admin/assets/${VIEW_SCRIPTS[view]}`;
    script.addEventListener("load", () => {
      if (!window.location.hash.startsWith(`#${view}`)) return;
      window.HandoffUi.views[view].show(arg);
      document.body.dataset.view = view;
    });
    document.head.append(script);
  }

  start();
})();
