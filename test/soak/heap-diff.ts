/**
 * Compares V8 heap snapshots taken by `npm run soak -- --heap-snapshots DIR`: self size and count by
 * constructor, and the largest Maps and Sets with the property that holds them, so growth (a cache, a map
 * keyed by lead or event) is told from warm-up by measurement.
 *
 * @example npx tsx test/soak/heap-diff.ts /tmp/heap/soak-70pct-life2.heapsnapshot /tmp/heap/soak-100pct-life2.heapsnapshot
 */
import { readFileSync } from "node:fs";
import path from "node:path";

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSummary {
  byConstructor: Map<string, { count: number; bytes: number }>;
  /** Map and Set objects with the most entries, named by the object and property holding them. */
  collections: { holder: string; entries: number }[];
  totalBytes: number;
}

/** @example summarize(readFileSync(file, "utf8")).byConstructor.get("Object") */
export function summarize(json: string): HeapSummary {
  const s = JSON.parse(json) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const [nType, nName, nSize, nEdges] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f));
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f));
  const width = nf.length;
  const ewidth = ef.length;
  const label = (i: number) => {
    const type = nodeTypes[s.nodes[i + nType!]!]!;
    return type === "object" || type === "native" ? s.strings[s.nodes[i + nName!]!]! : `(${type})`;
  };
  const byConstructor = new Map<string, { count: number; bytes: number }>();
  const holderOf = new Map<number, string>();
  const tableOf = new Map<number, number>();
  let totalBytes = 0;
  for (let i = 0, e = 0; i < s.nodes.length; i += width) {
    const name = label(i);
    const size = s.nodes[i + nSize!]!;
    totalBytes += size;
    const entry = byConstructor.get(name) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += size;
    byConstructor.set(name, entry);
    const edgeCount = s.nodes[i + nEdges!]!;
    for (let k = 0; k < edgeCount; k += 1, e += ewidth) {
      const to = s.edges[e + eTo!]!;
      const type = edgeTypes[s.edges[e + eType!]!];
      const edgeName = type === "element" || type === "hidden" ? "" : s.strings[s.edges[e + eName!]!];
      if ((name === "Map" || name === "Set") && edgeName === "table") tableOf.set(i, to);
      if (type === "property" && !holderOf.has(to)) holderOf.set(to, `${name}.${edgeName}`);
    }
  }
  const collections = [...tableOf.entries()]
    .map(([node, table]) => ({
      holder: `${holderOf.get(node) ?? "?"} (${label(node)})`,
      entries: s.nodes[table + nEdges!]!,
    }))
    .sort((a, b) => b.entries - a.entries)
    .slice(0, 15);
  return { byConstructor, collections, totalBytes };
}

function main(files: string[]): void {
  const summaries = files.map((f) => ({ file: path.basename(f), ...summarize(readFileSync(f, "utf8")) }));
  const mb = (b: number) => (b / 1_048_576).toFixed(1);
  for (const s of summaries) process.stdout.write(`${s.file}: ${mb(s.totalBytes)} MB of objects\n`);
  const first = summaries[0]!;
  const last = summaries.at(-1)!;
  const names = new Set([...first.byConstructor.keys(), ...last.byConstructor.keys()]);
  const rows = [...names]
    .map((name) => {
      const sizes = summaries.map((s) => s.byConstructor.get(name) ?? { count: 0, bytes: 0 });
      return { name, sizes, grew: sizes.at(-1)!.bytes - sizes[0]!.bytes };
    })
    .sort((a, b) => Math.abs(b.grew) - Math.abs(a.grew))
    .slice(0, 25);
  process.stdout.write(`\nlargest changes by constructor (MB / count at each snapshot):\n`);
  for (const r of rows) {
    const cells = r.sizes.map((x) => `${mb(x.bytes)} MB / ${x.count}`).join("  →  ");
    process.stdout.write(`  ${r.name.slice(0, 40).padEnd(40)} ${cells}\n`);
  }
  for (const s of [first, last]) {
    process.stdout.write(`\nlargest Maps and Sets in ${s.file} (table slots):\n`);
    for (const c of s.collections.slice(0, 10)) process.stdout.write(`  ${c.entries}\t${c.holder}\n`);
  }
}

if (process.argv[1] && path.basename(process.argv[1]).startsWith("heap-diff")) main(process.argv.slice(2));
