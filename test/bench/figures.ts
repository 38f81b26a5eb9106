/** One measured figure, printed next to its target. */
export interface BenchFigure {
  /** Stable id in bench/results.json (e.g. `intake.p99_ms`); the README quotes figures by it. */
  id: string;
  name: string;
  value: number;
  unit: string;
  target: string;
  ok?: boolean;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function printTable(figures: BenchFigure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    `${f.value.toLocaleString("en-US")} ${f.unit}`,
    f.target,
    f.ok === undefined ? "" : f.ok ? "ok" : "MISSED",
  ]);
  const header = ["id", "figure", "measured", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
