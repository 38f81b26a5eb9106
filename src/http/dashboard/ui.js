// Shared by the admin pages (reports, lead story, SLA): DOM building without markup strings, the admin API
// client, and the formats every page uses. Exposed as window.HandoffUi.
/* global window, document, fetch, Node */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  /** A DOM element with attributes and children (strings become text nodes, never markup). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      // CSP forbids style attributes; widths go through the CSSOM instead.
      else if (k === "width%") node.style.width = `${v}%`;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat())
      if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function fill(id, ...nodes) {
    const box = $(id);
    box.replaceChildren(...nodes.flat().filter(Boolean));
    return box;
  }

  function empty(text, ...extra) {
    return h("div", { class: "empty" }, h("p", {}, text), ...extra);
  }

  function code(text) {
    return h("code", {}, text);
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(path, init) {
    const res = await fetch(`/admin/api${path}`, {
      credentials: "same-origin",
      ...init,
      headers: {
        accept: "application/json",
        ...(init && init.body ? { "content-type": init.contentType || "application/json" } : {}),
      },
    });
    if (res.status === 401) {
      window.location.assign("/admin");
      throw new ApiError(401, { message: "signed out" });
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  /** What a failed panel shows: the server's message and hint, or that this server has no such report. */
  function failure(err, what) {
    if (
      err instanceof ApiError &&
      err.status === 404 &&
      err.body.error === "not_found" &&
      /route/.test(err.message)
    ) {
      return empty(
        `This server does not offer ${what} yet.`,
        h("p", { class: "muted" }, "Update Handoff to get this report."),
      );
    }
    return h(
      "div",
      { class: "empty problem", role: "status" },
      h("p", {}, `Could not load ${what}: ${err.message}`),
      err.body && err.body.hint ? h("p", { class: "muted" }, err.body.hint) : null,
    );
  }

  function kpi(label, value, cls, title) {
    return h(
      "div",
      { class: `kpi ${cls || ""}`, title },
      h("span", { class: "kpi-value" }, value),
      h("span", { class: "kpi-label" }, label),
    );
  }

  function minutes(m) {
    if (m === null || m === undefined) return "–";
    if (m < 60) return `${Math.round(m)} min`;
    if (m < 60 * 24) return `${(m / 60).toFixed(1)} h`;
    return `${(m / 1440).toFixed(1)} d`;
  }

  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return Number.isNaN(d.getTime())
      ? iso
      : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function day(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { dateStyle: "medium" });
  }

  /** What changed from SLA version `a` to `b` (hashes), drawn into `box`: one line per rule, threshold or owner. */
  async function showSlaDiff(box, connectionId, a, b) {
    box.replaceChildren(h("p", { class: "muted" }, "Comparing…"));
    try {
      const r = await api(
        `/sla/diff?connectionId=${encodeURIComponent(connectionId)}&a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
      );
      const sym = { added: "+", removed: "−", changed: "~" };
      box.replaceChildren(
        h(
          "h3",
          {},
          `v${r.a.version} → v${r.b.version}`,
          h("span", { class: "muted" }, ` · ${r.changes.length} change${r.changes.length === 1 ? "" : "s"}`),
        ),
        r.changes.length === 0
          ? h("p", { class: "muted" }, "Same rules: only formatting or comments differ.")
          : h(
              "ul",
              { class: "changes", "data-testid": "sla-changes" },
              r.changes.map((c) =>
                h(
                  "li",
                  { class: c.kind },
                  h("span", { class: "sym" }, sym[c.kind]),
                  h("code", {}, c.path),
                  c.kind === "changed"
                    ? h("span", {}, h("del", {}, c.before), " → ", h("ins", {}, c.after))
                    : h("span", {}, c.kind === "added" ? c.after : c.before),
                ),
              ),
            ),
      );
    } catch (err) {
      box.replaceChildren(failure(err, "the diff"));
    }
  }

  /** A team's sign-off of an SLA version: who and when, or that it is still awaited. */
  function signature(v, team) {
    const s = v.signatures.find((x) => x.team === team);
    return s
      ? h(
          "span",
          { class: "sign ok", title: `signed ${when(s.signedAt)}` },
          `✓ ${s.name} · ${day(s.signedAt)}`,
        )
      : h("span", { class: "sign waiting" }, "awaiting");
  }

  /**
   * The SLA's versions, newest first, as the reports page and the SLA page show them; `last` names the last
   * column and draws its cell for each version (compare buttons, rollback).
   */
  function slaVersionsTable(versions, { testid, last }) {
    return h(
      "table",
      { class: "table", "data-testid": testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Version", "Effective", "Status", "Marketing", "Sales", "Hash"].map((x) => h("th", {}, x)),
          h("th", { title: last.title }, last.header),
        ),
      ),
      h(
        "tbody",
        {},
        versions.map((v, i) =>
          h(
            "tr",
            { "data-hash": v.hash },
            h("td", {}, h("b", {}, `v${v.version}`), " ", h("span", { class: "muted" }, v.name)),
            h("td", {}, v.effective || h("span", { class: "bad" }, "not set")),
            h(
              "td",
              {},
              h(
                "span",
                { class: `pill ${v.status === "published" ? "ok" : v.status === "draft" ? "warn" : ""}` },
                v.status,
              ),
            ),
            h("td", {}, signature(v, "marketing")),
            h("td", {}, signature(v, "sales")),
            h("td", { class: "mono muted" }, v.hash.replace(/^sha256:/, "").slice(0, 10)),
            last.cell(v, i),
          ),
        ),
      ),
    );
  }

  /** A forecast's headline figure: how many MQLs the draft makes more (or fewer) than the live SLA. */
  function draftDelta(r) {
    return h(
      "b",
      { class: r.mqlDelta < 0 ? "bad" : "ok" },
      `Draft: ${r.mqlDelta >= 0 ? "+" : ""}${r.mqlDelta} MQLs`,
    );
  }

  /** The forecast's weeks under the live SLA next to the draft's, with their legend. */
  function liveVsDraft(r, width) {
    return [
      h(
        "span",
        { class: "legend" },
        h("i", { class: "sw sw-live" }),
        "live ",
        h("i", { class: "sw sw-draft" }),
        "draft",
      ),
      window.HandoffCharts.compareWeeks(r.live.weeks, r.draft.weeks, ["live", "draft"], width),
    ];
  }

  /** Pages register here (`views.lead = { show(arg) }`); the dashboard shows the one the URL names. */
  const views = {};
  window.HandoffUi = {
    $,
    h,
    fill,
    empty,
    code,
    ApiError,
    api,
    failure,
    kpi,
    minutes,
    when,
    day,
    views,
    showSlaDiff,
    slaVersionsTable,
    draftDelta,
    liveVsDraft,
    connectionId: () => null,
  };
})();
