// The SLA page: the live version and its history with diffs; a draft editor checked as the admin types, each
// problem at its line; the draft next to the live SLA on real and sample leads; the forecast; sign-off by
// both teams over the exact text, publish, and roll back (an earlier text as the next version, signed again).
/* global window, document, setTimeout, clearTimeout */
"use strict";

(function () {
  const { $, h, fill, empty, api, failure, kpi, when, slaVersionsTable, draftDelta, liveVsDraft } =
    window.HandoffUi;
  const enc = encodeURIComponent;
  const conn = () => window.HandoffUi.connectionId();
  const page = {
    loadedFor: null,
    versions: [],
    current: null,
    check: null,
    checking: 0,
    historySeq: 0,
    timer: null,
  };
  const editor = $("sla-editor");

  // Other pages try "the draft" with one click (the lead story).
  window.HandoffUi.draft = () => (editor.value.trim() === "" ? null : editor.value);

  function short(hash) {
    return String(hash || "")
      .replace(/^sha256:/, "")
      .slice(0, 10);
  }

  // ---- history ---------------------------------------------------------------------------------

  function showDiff(a, b) {
    return window.HandoffUi.showSlaDiff($("sla-history-diff"), conn(), a, b);
  }

  async function loadInto(hash, rollback) {
    try {
      const r = rollback
        ? await api("/sla/rollback", { method: "POST", body: JSON.stringify({ connectionId: conn(), hash }) })
        : await api(`/sla/source?connectionId=${enc(conn())}&hash=${enc(hash)}`);
      editor.value = r.source;
      $("sla-publish-status").textContent = rollback
        ? `v${r.from.version} loaded as v${r.version}, effective ${r.effective}: both teams sign it, then publish.`
        : `v${r.version} loaded into the draft.`;
      onEdit(true);
      editor.focus();
      editor.setSelectionRange(0, 0);
      editor.scrollTop = 0;
    } catch (err) {
      $("sla-publish-status").replaceChildren(failure(err, "that version"));
    }
  }

  async function loadLive() {
    try {
      const r = await api(`/sla/live?connectionId=${enc(conn())}`);
      editor.value = r.source;
      $("sla-publish-status").textContent = r.published
        ? `The draft starts as v${r.version}, the version in force.`
        : `The draft starts as the SLA file this connection runs on (v${r.version}, never published).`;
      onEdit(true);
    } catch (err) {
      $("sla-publish-status").replaceChildren(failure(err, "the SLA in force"));
    }
  }

  function renderHistory() {
    const versions = page.versions;
    const cur = page.current;
    $("sla-live").textContent = cur
      ? `${cur.inForce ? "In force" : "Newest (not in force)"}: ${cur.name} v${cur.version}`
      : "No version stored: the connection runs on its SLA file.";
    if (versions.length === 0) {
      fill(
        "sla-history",
        empty("No SLA version stored yet. Write a draft below, have both teams sign it, publish it."),
      );
      fill("sla-history-diff");
      return;
    }
    fill(
      "sla-history",
      slaVersionsTable(versions, {
        testid: "sla-history",
        last: {
          header: "",
          cell: (v, i) => {
            const older = versions[i + 1];
            return h(
              "td",
              { class: "actions" },
              older
                ? h(
                    "button",
                    { type: "button", class: "small ghost", onclick: () => showDiff(older.hash, v.hash) },
                    `Diff from v${older.version}`,
                  )
                : null,
              h(
                "button",
                { type: "button", class: "small ghost", onclick: () => loadInto(v.hash, false) },
                "Edit as draft",
              ),
              v.status === "superseded"
                ? h(
                    "button",
                    {
                      type: "button",
                      class: "small",
                      "data-testid": "rollback",
                      onclick: () => loadInto(v.hash, true),
                    },
                    "Roll back to this",
                  )
                : null,
            );
          },
        },
      }),
    );
  }

  async function loadHistory() {
    const seq = ++page.historySeq;
    try {
      const r = await api(`/sla/versions?connectionId=${enc(conn())}`);
      if (seq !== page.historySeq) return; // a newer load (after another sign-off) wins
      page.versions = r.versions;
      page.current = r.current;
      renderHistory();
    } catch (err) {
      fill("sla-history", failure(err, "SLA versions"));
    }
  }

  // ---- editor: checked as the admin types ----------------------------------------------------------

  function renderGutter(problems) {
    const lines = editor.value.split("\n").length;
    const bad = new Map();
    for (const p of problems) if (p.line > 0 && !bad.has(p.line)) bad.set(p.line, p.severity);
    const nodes = [];
    for (let i = 1; i <= lines; i++)
      nodes.push(h("div", { class: bad.has(i) ? `g ${bad.get(i)}` : "g" }, String(i)));
    $("sla-gutter").replaceChildren(...nodes);
    $("sla-gutter").scrollTop = editor.scrollTop;
  }

  /** Puts the cursor at the start of a 1-based line (the problem list's links). */
  function goToLine(line, col) {
    const rows = editor.value.split("\n");
    let at = 0;
    for (let i = 0; i < line - 1 && i < rows.length; i++) at += rows[i].length + 1;
    at += Math.max(0, (col || 1) - 1);
    editor.focus();
    editor.setSelectionRange(at, at);
    const lineHeight = editor.scrollHeight / Math.max(rows.length, 1);
    editor.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  async function runCheck() {
    const seq = ++page.checking;
    const source = editor.value;
    if (source.trim() === "") {
      page.check = null;
      $("sla-check-status").textContent = "Empty draft: load a version above or paste an SLA file.";
      fill("sla-problems");
      renderGutter([]);
      updateSignoff();
      return;
    }
    try {
      const r = await api("/sla/check", { method: "POST", body: JSON.stringify({ source }) });
      if (seq !== page.checking) return; // a newer keystroke's check wins
      page.check = { ...r, source };
      const status = $("sla-check-status");
      status.className = r.ok ? "ok" : "bad";
      status.textContent = r.ok
        ? `Valid · v${r.version} · ${short(r.hash)}${r.warnings ? ` · ${r.warnings} warning${r.warnings === 1 ? "" : "s"}` : ""}`
        : `${r.errors} error${r.errors === 1 ? "" : "s"}${r.warnings ? `, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}` : ""}`;
      fill(
        "sla-problems",
        r.problems.map((p) =>
          h(
            "li",
            { class: p.severity, "data-line": p.line },
            h(
              "a",
              {
                href: "#sla",
                onclick: (ev) => {
                  ev.preventDefault();
                  goToLine(p.line, p.col);
                },
              },
              p.line > 0 ? `line ${p.line}:${p.col}` : "document",
            ),
            " ",
            h("code", {}, p.path || "(document)"),
            ` ${p.severity === "warning" ? "warning: " : ""}${p.message}`,
            h("div", { class: "muted small" }, p.hint),
          ),
        ),
      );
      renderGutter(r.problems);
      updateSignoff();
    } catch (err) {
      if (seq === page.checking) fill("sla-problems", h("li", {}, failure(err, "the check")));
    }
  }

  function onEdit(now) {
    renderGutter(page.check && page.check.source === editor.value ? page.check.problems : []);
    // Until the new text is checked, nothing is signed or published: the old check was for other text.
    if (!page.check || page.check.source !== editor.value) {
      $("sla-check-status").className = "muted";
      $("sla-check-status").textContent = "Checking…";
      $("sla-publish").disabled = true;
    }
    clearTimeout(page.timer);
    page.timer = setTimeout(runCheck, now === true ? 0 : 250);
  }

  // ---- preview and forecast ------------------------------------------------------------------------

  function sideCell(x) {
    return h(
      "td",
      {},
      h("b", {}, x.stage),
      x.handoff ? " · handed over" : "",
      h("div", { class: "small" }, `total ${x.total} (fit ${x.fit}, eng. ${x.engagement})`),
      x.owner ? h("div", { class: "small" }, `owner ${x.owner}`) : null,
    );
  }

  async function runPreview(ev) {
    ev.preventDefault();
    const draft = window.HandoffUi.draft();
    if (!draft) {
      fill("sla-preview", empty("Write a draft first."));
      return;
    }
    fill("sla-preview", h("p", { class: "muted" }, "Scoring and routing the leads under both…"));
    try {
      const samples = $("sla-samples").value.trim();
      const r = await api("/sla/preview", {
        method: "POST",
        body: JSON.stringify({
          connectionId: conn(),
          draft,
          last: Number($("sla-preview-last").value) || 0,
          ...(samples ? { samples } : {}),
        }),
      });
      const s = r.summary;
      const changed = r.leads.filter((l) => l.changes.length > 0);
      fill(
        "sla-preview",
        h(
          "div",
          { class: "kpis" },
          kpi("leads previewed", String(s.leads)),
          kpi("change stage", String(s.stageChanges), s.stageChanges ? "warn" : ""),
          kpi("change owner", String(s.ownerChanges), s.ownerChanges ? "warn" : ""),
          kpi("change score", String(s.scoreChanges)),
          kpi("handed over: live → draft", `${s.handoffsLive} → ${s.handoffsDraft}`),
        ),
        r.sampleErrors.length
          ? h(
              "ul",
              { class: "problems" },
              r.sampleErrors.map((e) => h("li", { class: "error" }, `sample line ${e.line}: ${e.message}`)),
            )
          : null,
        h(
          "table",
          { class: "table", "data-testid": "preview-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Lead", `Live v${r.live.version}`, `Draft v${r.draft.version}`, "Changes"].map((x) =>
                h("th", {}, x),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            (changed.length ? changed : r.leads).map((l) =>
              h(
                "tr",
                { class: l.changes.length ? "changed" : "" },
                h(
                  "td",
                  {},
                  l.from === "sample"
                    ? `sample line ${l.line}`
                    : h("a", { href: `#lead/${enc(l.leadId)}` }, l.leadId),
                ),
                sideCell(l.live),
                sideCell(l.draft),
                h("td", {}, l.changes.length ? l.changes.join(", ") : h("span", { class: "muted" }, "none")),
              ),
            ),
          ),
        ),
        changed.length && changed.length < r.leads.length
          ? h("p", { class: "muted small" }, `${r.leads.length - changed.length} more leads are unchanged.`)
          : null,
      );
    } catch (err) {
      fill("sla-preview", failure(err, "the preview"));
    }
  }

  async function runForecast() {
    const draft = window.HandoffUi.draft();
    if (!draft) {
      fill("sla-forecast", empty("Write a draft first."));
      return;
    }
    fill("sla-forecast", h("p", { class: "muted" }, "Replaying history under the draft…"));
    try {
      const r = await api(`/forecast?connectionId=${enc(conn())}&since=90d`, {
        method: "POST",
        body: draft,
        contentType: "application/yaml",
      });
      fill(
        "sla-forecast",
        h(
          "p",
          {},
          draftDelta(r),
          ` vs live over the last 90 days (${r.history.leads} leads, ${r.history.events} events).`,
        ),
        liveVsDraft(r, $("sla-forecast").clientWidth),
      );
    } catch (err) {
      fill("sla-forecast", failure(err, "the forecast"));
    }
  }

  // ---- sign and publish ----------------------------------------------------------------------------

  function updateSignoff() {
    const check = page.check;
    const publish = $("sla-publish");
    if (!check || !check.ok) {
      fill(
        "sla-signoff",
        h("p", { class: "muted" }, "A valid draft can be signed; each team signs the exact text."),
      );
      publish.disabled = true;
      return;
    }
    const v = page.versions.find((x) => x.hash === check.hash);
    const signed = (team) => v && v.signatures.find((s) => s.team === team);
    const both = signed("marketing") && signed("sales");
    fill(
      "sla-signoff",
      h(
        "p",
        { "data-testid": "signoff" },
        `This text (${short(check.hash)}): `,
        ["marketing", "sales"].map((team) => {
          const s = signed(team);
          return h(
            "span",
            { class: `sign ${s ? "ok" : "waiting"}` },
            s ? `${team} ✓ ${s.name} ${when(s.signedAt)} ` : `${team} awaiting `,
          );
        }),
        v && v.status === "published" ? h("span", { class: "pill ok" }, "published") : null,
      ),
    );
    publish.disabled = !both || (v && v.status === "published");
  }

  async function sign(ev) {
    ev.preventDefault();
    // Sign exactly what is in the editor now, never the text of an older check.
    if (!page.check || page.check.source !== editor.value) await runCheck();
    const check = page.check;
    if (!check || !check.ok) return;
    try {
      await api("/sla/sign", {
        method: "POST",
        body: JSON.stringify({
          connectionId: conn(),
          source: check.source,
          team: $("sla-sign-team").value,
          name: $("sla-sign-name").value,
          email: $("sla-sign-email").value,
        }),
      });
      $("sla-publish-status").textContent = `Signed as ${$("sla-sign-team").value}.`;
      await loadHistory();
      updateSignoff();
    } catch (err) {
      $("sla-publish-status").replaceChildren(failure(err, "the sign-off"));
    }
  }

  async function publish() {
    if (!page.check || page.check.source !== editor.value) await runCheck();
    const check = page.check;
    if (!check || !check.ok) return;
    try {
      const r = await api("/sla/publish", {
        method: "POST",
        body: JSON.stringify({ connectionId: conn(), hash: check.hash, source: check.source }),
      });
      $("sla-publish-status").textContent = `Published v${r.version}, effective ${r.effective}.`;
      window.HandoffUi.reloadReports();
      await loadHistory();
      updateSignoff();
    } catch (err) {
      $("sla-publish-status").replaceChildren(failure(err, "publishing"));
    }
  }

  editor.addEventListener("input", () => onEdit(false));
  editor.addEventListener("scroll", () => ($("sla-gutter").scrollTop = editor.scrollTop));
  $("sla-preview-form").addEventListener("submit", runPreview);
  $("sla-forecast-run").addEventListener("click", runForecast);
  $("sla-sign-form").addEventListener("submit", sign);
  $("sla-publish").addEventListener("click", publish);

  window.HandoffUi.views.sla = {
    async show() {
      if (conn() === null || page.loadedFor === conn()) return;
      page.loadedFor = conn();
      await loadHistory();
      // The draft starts as the SLA in force (a published version, or the file the connection runs on).
      if (editor.value.trim() === "") await loadLive();
      else updateSignoff();
      document.body.dataset.sla = "loaded";
    },
  };
})();
