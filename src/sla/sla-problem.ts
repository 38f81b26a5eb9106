import { AppError } from "../domain/errors";

export type Severity = "error" | "warning";

/** One thing wrong (or smelly) in an SLA file, located in the file. */
export interface SlaProblem {
  severity: Severity;
  file: string;
  /** 1-based; 0 when the problem has no place in the file. */
  line: number;
  col: number;
  /** Dotted path as written in the YAML: `fit[2].points`, `routing.pools.dach.members[0].rep`. */
  path: string;
  message: string;
  hint: string;
}

/** `sla.yaml:42:5 fit[2].points: expected a number, got "ten" — write e.g. 10 or -20, without quotes` */
export function formatProblem(p: SlaProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  const label = p.severity === "warning" ? "warning: " : "";
  return `${where} ${p.path === "" ? "(document)" : p.path}: ${label}${p.message} — ${p.hint}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The SLA file has errors; `problems` lists every one of them (and the warnings). */
export class SlaValidationError extends AppError {
  readonly problems: SlaProblem[];
  constructor(file: string, problems: SlaProblem[]) {
    const errors = problems.filter((p) => p.severity === "error");
    super("sla_invalid", `${file}: ${errors.length} problem(s)\n${errors.map(formatProblem).join("\n")}`, {
      hint: "Fix each line listed, then run `handoff sla lint <file>` again.",
      details: { problems },
    });
    this.problems = problems;
  }
}
