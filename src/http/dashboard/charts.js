// Small SVG charts for the Handoff dashboard. No library: each function returns an <svg> element built with
// createElementNS; every label goes in through textContent, so CRM data can never become markup.
/* global window, document, Element */
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {}))
      if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function svg(width, height, label) {
    const root = el("svg", {
      viewBox: `0 0 ${width} ${height}`,
      width: "100%",
      role: "img",
      "aria-label": label,
      class: "chart",
      preserveAspectRatio: "xMidYMid meet",
    });
    root.appendChild(el("title", {}, label));
    return root;
  }

  /** A mark that says its value: in a <title> (screen readers, the hover tip) and on keyboard focus (Tab). */
  function tip(node, text) {
    node.appendChild(el("title", {}, text));
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "0");
    return node;
  }

  /** A round axis maximum above `v`: 1, 2, 2.5, 5 × 10^n. */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 1.2, 1.6, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9) return m * p;
    return 10 * p;
  }

  /** The drawing is as wide as its box in CSS pixels, so text keeps its size on any screen. */
  function clampWidth(width, fallback) {
    return width > 200 ? Math.min(Math.round(width), 1400) : fallback;
  }

  function fmt(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    return Math.abs(n) >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
  }

  function pct(n) {
    return n === null || n === undefined ? "–" : `${Math.round(n * 100)}%`;
  }

  /** Grid steps that give whole-number ticks for counts (0, 10, 20 … rather than 12.5). */
  function stepsFor(max) {
    return max >= 2 && Number.isInteger(max) ? [4, 5, 2, 3].find((s) => Number.isInteger(max / s)) || 4 : 4;
  }

  function gridY(root, x0, x1, yOf, max, steps, format) {
    for (let i = 0; i <= steps; i++) {
      const v = (max / steps) * i;
      const y = yOf(v);
      root.appendChild(el("line", { x1: x0, x2: x1, y1: y, y2: y, class: i === 0 ? "axis" : "grid" }));
      root.appendChild(el("text", { x: x0 - 6, y: y + 4, class: "tick", "text-anchor": "end" }, format(v)));
    }
  }

  /**
   * Pace toward the quarterly commitment: one bar per week with the cumulative MQLs delivered (the week's own
   * count on top), the straight pace line to the commitment, and the projection at the current rate.
   */
  function paceChart(pace, width) {
    const W = clampWidth(width, 720);
    const H = Math.round(Math.max(240, Math.min(340, W * 0.3)));
    const m = { l: 44, r: 112, t: 18, b: 34 };
    const weeks = pace.weeks || [];
    const n = Math.max(weeks.length, 1);
    const max = niceMax(Math.max(pace.commitment, pace.projected, ...weeks.map((w) => w.cumulative)) * 1.05);
    const root = svg(
      W,
      H,
      `Pace: ${pace.delivered} of ${pace.commitment} MQLs committed for ${pace.quarter}`,
    );
    root.setAttribute("data-chart", "pace");
    const x0 = m.l;
    const x1 = W - m.r;
    const slot = (x1 - x0) / n;
    const yOf = (v) => H - m.b - (v / max) * (H - m.t - m.b);
    gridY(root, x0, x1, yOf, max, stepsFor(max), fmt);

    const cy = yOf(pace.commitment);
    root.appendChild(el("line", { x1: x0, x2: x1, y1: cy, y2: cy, class: "commit" }));
    const rightLabels = [{ y: cy + 4, text: `commit ${pace.commitment}`, cls: "label commit-label" }];

    const lastActual = weeks.reduce((last, w, i) => (w.future ? last : i), -1);
    const rate = pace.currentPerWeek || 0;
    weeks.forEach((w, i) => {
      const x = x0 + i * slot + slot * 0.16;
      const bw = slot * 0.68;
      const label = w.week.replace(/^\d{4}-/, "");
      if (!w.future || i === lastActual + 1) {
        const y = yOf(w.cumulative);
        const bar = el("rect", {
          x,
          y,
          width: bw,
          height: Math.max(0, yOf(0) - y),
          rx: 3,
          class: w.future ? "bar bar-current" : "bar",
          "data-week": w.week,
        });
        root.appendChild(
          tip(bar, `${w.week}: +${w.delivered} MQLs, ${w.cumulative} so far (pace ${fmt(w.target)})`),
        );
        if (w.delivered > 0 && slot > 22) {
          root.appendChild(
            el(
              "text",
              { x: x + bw / 2, y: y - 5, class: "bar-value", "text-anchor": "middle" },
              `+${w.delivered}`,
            ),
          );
        }
      } else {
        const projectedCum = Math.min(
          pace.projected,
          (weeks[lastActual] ? weeks[lastActual].cumulative : 0) + rate * (i - lastActual),
        );
        const y = yOf(projectedCum);
        root.appendChild(
          tip(
            el("rect", {
              x,
              y,
              width: bw,
              height: Math.max(0, yOf(0) - y),
              rx: 3,
              class: "bar bar-projected",
            }),
            `${w.week}: about ${fmt(projectedCum)} at the current rate`,
          ),
        );
      }
      if (n <= 16 || i % 2 === 0) {
        root.appendChild(
          el("text", { x: x + bw / 2, y: H - m.b + 16, class: "tick", "text-anchor": "middle" }, label),
        );
      }
    });

    // Pace line: where the cumulative count should be at the end of each week.
    const pts = [[x0, yOf(0)]].concat(weeks.map((w, i) => [x0 + (i + 1) * slot, yOf(w.target)]));
    root.appendChild(el("polyline", { points: pts.map((p) => p.join(",")).join(" "), class: "pace-line" }));

    // Projection from the last full week to quarter end.
    if (lastActual >= 0) {
      const sx = x0 + (lastActual + 1) * slot;
      const sy = yOf(weeks[lastActual].cumulative);
      const py = yOf(pace.projected);
      root.appendChild(el("line", { x1: sx, y1: sy, x2: x1, y2: py, class: "projection" }));
      root.appendChild(el("circle", { cx: x1, cy: py, r: 4, class: pace.onTrack ? "dot-ok" : "dot-bad" }));
      rightLabels.push({
        y: py + 4,
        text: `→ ${fmt(pace.projected)} projected`,
        cls: `label ${pace.onTrack ? "ok" : "bad"}`,
      });
    }
    // Labels at the right edge never overlap: the lower one moves down when they are close.
    rightLabels.sort((a, b) => a.y - b.y);
    rightLabels.forEach((l, i) => {
      const prev = rightLabels[i - 1];
      if (prev && l.y - prev.y < 14) l.y = prev.y + 14;
      root.appendChild(el("text", { x: x1 + 8, y: l.y, class: l.cls }, l.text));
    });
    return root;
  }

  /**
   * Horizontal bars, one row per item; each row has stacked segments `{ value, cls, title }` and an optional
   * note on the right. `max` fixes the scale (e.g. 1 for rates).
   */
  function hbars(rows, options) {
    const o = options || {};
    const W = clampWidth(o.width, 560);
    const rowH = 26;
    const labelW = o.labelWidth || 150;
    const noteW = o.noteWidth || 110;
    const H = rows.length * rowH + 24;
    const root = svg(W, H, o.label || "bar chart");
    if (o.name) root.setAttribute("data-chart", o.name);
    const totals = rows.map((r) => r.segments.reduce((s, g) => s + g.value, 0));
    const max = o.max || niceMax(Math.max(...totals, 1));
    const x0 = labelW;
    const x1 = W - noteW;
    const xOf = (v) => x0 + (v / max) * (x1 - x0);
    // Counts get whole-number ticks (0, 10, 20 … rather than 12.5).
    const steps =
      max >= 2 && Number.isInteger(max) ? [4, 5, 2, 3].find((s) => Number.isInteger(max / s)) || 4 : 4;
    for (let i = 0; i <= steps; i++) {
      const v = (max / steps) * i;
      root.appendChild(
        el("line", { x1: xOf(v), x2: xOf(v), y1: 4, y2: H - 20, class: i === 0 ? "axis" : "grid" }),
      );
      root.appendChild(
        el("text", { x: xOf(v), y: H - 6, class: "tick", "text-anchor": "middle" }, (o.format || fmt)(v)),
      );
    }
    rows.forEach((r, i) => {
      const y = 6 + i * rowH;
      const name = r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label;
      root.appendChild(
        tip(el("text", { x: x0 - 8, y: y + 14, class: "label", "text-anchor": "end" }, name), r.label),
      );
      let at = 0;
      for (const s of r.segments) {
        if (s.value <= 0) continue;
        const rect = el("rect", {
          x: xOf(at),
          y,
          width: Math.max(1, xOf(at + s.value) - xOf(at)),
          height: rowH - 8,
          rx: 3,
          class: `bar ${s.cls || ""}`,
        });
        root.appendChild(tip(rect, s.title || `${r.label}: ${fmt(s.value)}`));
        at += s.value;
      }
      if (r.marker !== undefined) {
        const mx = xOf(r.marker);
        root.appendChild(el("line", { x1: mx, x2: mx, y1: y - 3, y2: y + rowH - 5, class: "marker" }));
      }
      if (r.note) root.appendChild(el("text", { x: x1 + 8, y: y + 14, class: "label note" }, r.note));
    });
    return root;
  }

  /** Two series of weekly counts side by side (live vs draft SLA). */
  function compareWeeks(a, b, labels, width) {
    const weeks = Array.from(new Set(a.concat(b).map((w) => w.week))).sort();
    const get = (list, week) => (list.find((w) => w.week === week) || { mqls: 0 }).mqls;
    const W = clampWidth(width, 720);
    const H = 240;
    const m = { l: 44, r: 10, t: 14, b: 34 };
    const root = svg(W, H, `MQLs per week: ${labels[0]} vs ${labels[1]}`);
    root.setAttribute("data-chart", "forecast");
    const max = niceMax(Math.max(4, ...weeks.map((w) => Math.max(get(a, w), get(b, w)))) * 1.1);
    const yOf = (v) => H - m.b - (v / max) * (H - m.t - m.b);
    gridY(root, m.l, W - m.r, yOf, max, stepsFor(max), fmt);
    const slot = (W - m.l - m.r) / Math.max(weeks.length, 1);
    weeks.forEach((week, i) => {
      const bw = slot * 0.34;
      const x = m.l + i * slot + slot * 0.14;
      [get(a, week), get(b, week)].forEach((v, j) => {
        const y = yOf(v);
        root.appendChild(
          tip(
            el("rect", {
              x: x + j * bw,
              y,
              width: bw - 1,
              height: yOf(0) - y,
              rx: 2,
              class: j === 0 ? "bar bar-live" : "bar bar-draft",
            }),
            `${week} ${labels[j]}: ${v} MQLs`,
          ),
        );
      });
      if (weeks.length <= 16 || i % 2 === 0) {
        root.appendChild(
          el(
            "text",
            { x: x + bw, y: H - m.b + 16, class: "tick", "text-anchor": "middle" },
            week.replace(/^\d{4}-/, ""),
          ),
        );
      }
    });
    return root;
  }

  /** A small weekly strip for a table cell: grey bars are leads, the violet part the MQLs among them. */
  function spark(weeks, label) {
    const W = 140;
    const H = 26;
    const root = svg(W, H, label);
    root.setAttribute("class", "chart spark");
    const max = Math.max(1, ...weeks.map((w) => w.leads));
    const slot = W / Math.max(weeks.length, 1);
    weeks.forEach((w, i) => {
      const x = i * slot + 1;
      const bw = Math.max(1, slot - 2);
      const hl = ((H - 2) * w.leads) / max;
      const hq = ((H - 2) * w.qualified) / max;
      const title = `${w.label}: ${w.leads} leads, ${w.qualified} MQLs`;
      root.appendChild(tip(el("rect", { x, y: H - hl, width: bw, height: hl, class: "bar open" }), title));
      root.appendChild(tip(el("rect", { x, y: H - hq, width: bw, height: hq, class: "bar" }), title));
    });
    return root;
  }

  /** A ring showing a rate (0..1) with its percentage in the middle. */
  function ring(rate, label) {
    const root = svg(120, 120, `${label}: ${pct(rate)}`);
    const r = 48;
    const c = 2 * Math.PI * r;
    root.appendChild(el("circle", { cx: 60, cy: 60, r, class: "ring-track" }));
    if (rate !== null && rate !== undefined) {
      root.appendChild(
        el("circle", {
          cx: 60,
          cy: 60,
          r,
          class: "ring-fill",
          "stroke-dasharray": `${c * rate} ${c}`,
          transform: "rotate(-90 60 60)",
        }),
      );
    }
    root.appendChild(el("text", { x: 60, y: 66, class: "ring-value", "text-anchor": "middle" }, pct(rate)));
    return root;
  }

  /**
   * A lead's score over time: fit, engagement and total as three lines with a legend inside the drawing; each
   * point says its values on hover and to screen readers (its <title>), and is reachable with Tab.
   */
  function scoreLine(points, width) {
    const W = clampWidth(width, 720);
    const H = 220;
    const m = { l: 44, r: 110, t: 14, b: 30 };
    const root = svg(W, H, `Score over time: ${points.length} evaluations`);
    root.setAttribute("data-chart", "score");
    const series = [
      ["total", "total"],
      ["fit", "fit"],
      ["engagement", "engagement"],
    ];
    const values = points.flatMap((p) => [p.total, p.fit, p.engagement]);
    const lo = Math.min(0, ...values);
    const hi = niceMax(Math.max(10, ...values) * 1.05);
    const t0 = Date.parse(points[0].at);
    const t1 = Date.parse(points[points.length - 1].at);
    const xOf = (at) =>
      t1 === t0 ? (m.l + W - m.r) / 2 : m.l + ((Date.parse(at) - t0) / (t1 - t0)) * (W - m.l - m.r);
    const yOf = (v) => H - m.b - ((v - lo) / (hi - lo)) * (H - m.t - m.b);
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) / 4) * i;
      const y = yOf(v);
      root.appendChild(el("line", { x1: m.l, x2: W - m.r, y1: y, y2: y, class: i === 0 ? "axis" : "grid" }));
      root.appendChild(el("text", { x: m.l - 6, y: y + 4, class: "tick", "text-anchor": "end" }, fmt(v)));
    }
    const day = (at) => new Date(at).toISOString().slice(0, 10);
    root.appendChild(el("text", { x: m.l, y: H - 8, class: "tick" }, day(points[0].at)));
    if (t1 !== t0) {
      root.appendChild(
        el(
          "text",
          { x: W - m.r, y: H - 8, class: "tick", "text-anchor": "end" },
          day(points[points.length - 1].at),
        ),
      );
    }
    series.forEach(([key, label], i) => {
      root.appendChild(
        el("polyline", {
          points: points.map((p) => `${xOf(p.at)},${yOf(p[key])}`).join(" "),
          class: `score-line s-${key}`,
          fill: "none",
        }),
      );
      for (const p of points) {
        const dot = el("circle", {
          cx: xOf(p.at),
          cy: yOf(p[key]),
          r: 4,
          class: `score-dot s-${key}`,
          tabindex: 0,
        });
        tip(
          dot,
          `${new Date(p.at).toLocaleString()}: ${label} ${fmt(p[key])} (fit ${fmt(p.fit)}, engagement ${fmt(p.engagement)}, total ${fmt(p.total)}) → ${p.stage}`,
        );
        root.appendChild(dot);
      }
      const ly = m.t + 8 + i * 20;
      root.appendChild(
        el("line", { x1: W - m.r + 12, x2: W - m.r + 32, y1: ly, y2: ly, class: `score-line s-${key}` }),
      );
      root.appendChild(el("text", { x: W - m.r + 38, y: ly + 4, class: "tick legend-text" }, label));
    });
    return root;
  }

  /**
   * Values on hover and on keyboard focus, at once: every chart mark carries its value in a <title> (read by
   * screen readers too); this shows that text in a tip next to the pointer or the focused mark, instead of
   * waiting for the browser's slow native tooltip.
   */
  function installTips() {
    const box = document.createElement("div");
    box.className = "chart-tip";
    box.setAttribute("role", "tooltip");
    box.hidden = true;
    document.body.appendChild(box);
    const markOf = (target) => {
      const mark =
        target instanceof Element ? target.closest("svg.chart rect, svg.chart circle, svg.chart text") : null;
      const title = mark && mark.querySelector(":scope > title");
      return title ? { mark, text: title.textContent } : null;
    };
    const show = (found, x, y) => {
      box.textContent = found.text;
      box.hidden = false;
      const left = Math.min(x + 12, window.innerWidth - box.offsetWidth - 8);
      box.style.left = `${Math.max(8, left) + window.scrollX}px`;
      box.style.top = `${y + 14 + window.scrollY}px`;
    };
    document.addEventListener("mousemove", (ev) => {
      const found = markOf(ev.target);
      if (found) show(found, ev.clientX, ev.clientY);
      else box.hidden = true;
    });
    document.addEventListener("focusin", (ev) => {
      const found = markOf(ev.target);
      if (!found) return;
      const r = found.mark.getBoundingClientRect();
      show(found, r.right, r.top);
    });
    document.addEventListener("focusout", () => (box.hidden = true));
    // Another page of the admin opens without a reload: the tip of the mark left behind goes too.
    window.addEventListener("hashchange", () => (box.hidden = true));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", installTips);
  else installTips();

  window.HandoffCharts = { paceChart, hbars, compareWeeks, spark, ring, scoreLine, fmt, pct, niceMax };
})();
