/**
 * Reads an SLA file: YAML with node positions → zod → cross-checks, reporting every problem at once as
 * `file:line:col path: what is wrong — how to fix`.
 */
import { readFile } from "node:fs/promises";
import { AppError } from "../domain/errors";
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from "yaml";
import type { z } from "zod";
import type { Sla } from "../domain/sla";
import { canonicalHash } from "./canonical-hash";
import { checkSla, type CheckOptions } from "./check-sla";
import { suggest } from "./did-you-mean";
import { rawSlaSchema, toSla } from "./schema";
import { formatPath, SlaValidationError, type SlaProblem } from "./sla-problem";

export interface LoadedSla {
  sla: Sla;
  /** sha256 of the canonical JSON of `sla`: what both teams sign. */
  hash: string;
  /** Warnings (smells); errors throw. */
  problems: SlaProblem[];
}

export interface SlaReport {
  sla: Sla | undefined;
  hash: string | undefined;
  /** Errors and warnings, in file order. */
  problems: SlaProblem[];
}

type PathPart = string | number;

/** Finds where in the file a path points, for messages. `atKey` points at the key instead of the value. */
export class SlaLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(path: readonly PathPart[], atKey = false): { line: number; col: number } {
    let parts = [...path];
    let wantKey = atKey;
    for (;;) {
      if (parts.length === 0) return { line: 1, col: 1 };
      const offset = wantKey ? this.keyOffset(parts) : this.nodeOffset(parts);
      if (offset !== undefined) return this.lines.linePos(offset);
      if (!wantKey) {
        // The value is missing: point at its key if there is one, else at the parent's key.
        wantKey = true;
        continue;
      }
      parts = parts.slice(0, -1);
    }
  }

  private nodeOffset(path: readonly PathPart[]): number | undefined {
    const node = this.doc.getIn(path, true) as YamlNode | undefined;
    return node !== null && typeof node === "object" && "range" in node ? node.range?.[0] : undefined;
  }

  private keyOffset(path: readonly PathPart[]): number | undefined {
    const parent = path.length === 1 ? this.doc.contents : this.doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (!isMap(parent)) return typeof last === "number" ? this.nodeOffset(path) : undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    return pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  }
}

/** Validates an SLA text and returns the Sla (if valid), its hash and every problem found. */
export function checkSlaText(text: string, file: string, options: CheckOptions = {}): SlaReport {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locator = new SlaLocator(doc, lines);
  const problems: SlaProblem[] = [];
  for (const err of doc.errors) {
    const pos = lines.linePos(err.pos[0]);
    const duplicate = err.code === "DUPLICATE_KEY";
    problems.push({
      severity: "error",
      file,
      line: pos.line,
      col: pos.col,
      path: "",
      message: duplicate
        ? `key "${(/^[^:\n]+/.exec(text.slice(err.pos[0]))?.[0] ?? "").trim()}" appears twice in one block`
        : `YAML syntax: ${firstLine(err.message)}`,
      hint: duplicate
        ? "keep one of them; YAML would silently use only one"
        : "check the indentation (spaces, not tabs) and quote values that contain ': ' or start with * or %",
    });
  }
  if (problems.length > 0) return { sla: undefined, hash: undefined, problems };

  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({
      severity: "error",
      file,
      line: 1,
      col: 1,
      path: "",
      message: "the file is not a YAML mapping",
      hint: "start from config/sla.default.yaml and edit it",
    });
    return { sla: undefined, hash: undefined, problems };
  }
  const parsed = rawSlaSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, raw, file, locator));
  }
  const sla = parsed.success ? toSla(parsed.data) : undefined;
  for (const found of checkSla(raw, sla, options)) {
    const pos = locator.locate(found.path, found.atKey ?? false);
    problems.push({
      severity: found.severity,
      file,
      ...pos,
      path: formatPath(found.path),
      message: found.message,
      hint: found.hint,
    });
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  // A schema shared by several keys can report one mistake more than once: list it once.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  problems.length = 0;
  problems.push(...unique);
  const hasErrors = problems.some((p) => p.severity === "error");
  if (hasErrors || sla === undefined) return { sla: undefined, hash: undefined, problems };
  return { sla, hash: canonicalHash(sla), problems };
}

/** Parses an SLA text; throws `SlaValidationError` listing every error. */
export function parseSla(text: string, file = "sla.yaml"): LoadedSla {
  const report = checkSlaText(text, file);
  if (report.sla === undefined || report.hash === undefined)
    throw new SlaValidationError(file, report.problems);
  return { sla: report.sla, hash: report.hash, problems: report.problems };
}

/** Reads and parses an SLA file; throws `SlaValidationError` listing every error. */
export async function loadSlaFile(file: string): Promise<LoadedSla> {
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new AppError("sla_file_unreadable", `cannot read ${file}`, {
      hint: "Check the path; run from the repository root or give an absolute path.",
      cause,
    });
  });
  return parseSla(text, file);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a block of keys";
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  object: "a block of keys",
  record: "a block of keys",
  array: "a list",
  int: "a whole number",
  number: "a number",
  string: "text",
  boolean: "true or false",
};

const TYPE_HINTS: Record<string, string> = {
  int: "write a whole number without quotes, e.g. 25",
  record: "write a block of `name: value` lines indented under this key",
  number: "write a number without quotes, e.g. 10",
  string: "write text, quoted if it contains special characters",
  boolean: "write true or false",
  array: "write a list, e.g. [a, b] or one `- item` per line",
  object: "write a block of `key: value` lines indented under this key",
};

function splitMessage(message: string): { message: string; hint: string } | undefined {
  const at = message.indexOf(" — ");
  return at < 0 ? undefined : { message: message.slice(0, at), hint: message.slice(at + 3) };
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  file: string,
  locator: SlaLocator,
): SlaProblem[] {
  const path = issue.path as PathPart[];
  const value = valueAt(raw, path);
  const at = (p: PathPart[], message: string, hint: string, atKey = false): SlaProblem => ({
    severity: "error",
    file,
    ...locator.locate(p, atKey),
    path: formatPath(p),
    message,
    hint,
  });
  const last = path[path.length - 1];
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path);
      return issue.keys.map((key) =>
        at([...path, key], `unknown key "${key}"`, suggest(key, known, "allowed keys"), true),
      );
    }
    case "invalid_type": {
      if (value === undefined) {
        const hint = TYPE_HINTS[issue.expected] ?? "see config/sla.default.yaml for an example";
        return [at(path, `missing required key "${String(last)}"`, `add ${String(last)}: (${hint})`)];
      }
      const split = splitMessage(issue.message);
      if (split) return [at(path, `${split.message}, got ${describeValue(value)}`, split.hint)];
      return [
        at(
          path,
          `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(value)}`,
          TYPE_HINTS[issue.expected] ?? "fix the value",
        ),
      ];
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      return [
        at(
          path,
          `${describeValue(value)} is not one of: ${options.join(", ")}`,
          typeof value === "string"
            ? suggest(value, options, "use one of")
            : `use one of ${options.join(", ")}`,
        ),
      ];
    }
    case "too_small":
    case "too_big": {
      const split = splitMessage(issue.message);
      if (split) return [at(path, split.message, split.hint)];
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const what = issue.origin === "array" ? "items" : issue.origin === "string" ? "characters" : "";
      const word = issue.code === "too_small" ? "at least" : "at most";
      return [
        at(
          path,
          `${describeValue(value)} is out of range`,
          `use ${word} ${String(bound)}${what === "" ? "" : ` ${what}`}${issue.inclusive === false ? " (exclusive)" : ""}`,
        ),
      ];
    }
    case "custom": {
      const params = (issue.params ?? {}) as { atKey?: boolean; unknownField?: string };
      const split = splitMessage(issue.message) ?? { message: issue.message, hint: "fix the value" };
      if (params.unknownField !== undefined) {
        const close = suggest(params.unknownField, knownFieldSpellings(), "lead fields");
        return [at(path, split.message, `${close} (or property:<crm name> for any CRM property)`, true)];
      }
      return [at(path, split.message, split.hint, params.atKey ?? false)];
    }
    default: {
      const split = splitMessage(issue.message) ?? {
        message: `${issue.message.replace(/^Invalid input:?\s*/i, "invalid value ")}`.trim(),
        hint: "compare with config/sla.default.yaml",
      };
      return [at(path, split.message, split.hint)];
    }
  }
}

function knownFieldSpellings(): string[] {
  return [
    "email",
    "email_domain",
    "firstname",
    "lastname",
    "company",
    "jobtitle",
    "seniority",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "state",
    "postal_code",
    "city",
    "business_model",
    "lead_source",
    "lead_status",
    "utm_source",
    "utm_medium",
    "utm_campaign",
  ];
}

interface DefLike {
  type: string;
  shape?: Record<string, { _zod: { def: DefLike } }>;
  element?: { _zod: { def: DefLike } };
  valueType?: { _zod: { def: DefLike } };
  innerType?: { _zod: { def: DefLike } };
  in?: { _zod: { def: DefLike } };
  out?: { _zod: { def: DefLike } };
  options?: { _zod: { def: DefLike } }[];
}

/** The keys the schema allows at a path, for "did you mean". */
function knownKeys(path: readonly PathPart[]): string[] {
  let defs: DefLike[] = [(rawSlaSchema as unknown as { _zod: { def: DefLike } })._zod.def];
  const unwrap = (d: DefLike): DefLike[] => {
    if (d.innerType) return unwrap(d.innerType._zod.def);
    // A pipe (preprocess, transform) validates with both ends; keys live on whichever is an object.
    if (d.type === "pipe") return [d.in, d.out].flatMap((x) => (x ? unwrap(x._zod.def) : []));
    if (d.type === "union" && d.options) return d.options.flatMap((o) => unwrap(o._zod.def));
    return [d];
  };
  for (const part of path) {
    const next: DefLike[] = [];
    for (const def of defs.flatMap(unwrap)) {
      if (def.type === "object" && typeof part === "string" && def.shape?.[part])
        next.push(def.shape[part]._zod.def);
      else if (def.type === "array" && def.element) next.push(def.element._zod.def);
      else if (def.type === "record" && def.valueType) next.push(def.valueType._zod.def);
    }
    defs = next;
  }
  return [
    ...new Set(defs.flatMap(unwrap).flatMap((d) => (d.type === "object" ? Object.keys(d.shape ?? {}) : []))),
  ];
}
