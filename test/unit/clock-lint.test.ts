import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "../..");

interface Sample {
  file: string;
  code: string;
}

/**
 * Lints code samples as if they were files of the project, with the project's own eslint config, and returns
 * each sample's clock problems. ESLint loads its ESM config itself, so it runs in a child process.
 */
function clockProblems(samples: Sample[]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const path = require("node:path");
    const samples = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const s of samples) {
        const [r] = await eslint.lintText(s.code, { filePath: path.join(process.cwd(), s.file) });
        out.push(r.messages.filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const json = execFileSync(process.execPath, ["-e", script, JSON.stringify(samples)], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(json) as string[][];
}

describe("time is injected (lint)", () => {
  it("when a route, store, worker, use case or CLI command reads the machine's clock, then lint fails and says to take a Clock; a given date, a duration or a composition root passes", () => {
    const outside = [
      "src/http/routes/some-route.ts",
      "src/adapters/postgres/some-store.ts",
      "src/jobs/some-worker.ts",
      "src/cli/commands/some-command.ts",
      "src/app/some-use-case.ts",
    ];
    const reads = [
      "export const at = new Date();\n",
      "export const at = Date.now();\n",
      "export const c = Date.now;\n",
    ];
    const refused = clockProblems(outside.flatMap((file) => reads.map((code) => ({ file, code }))));
    expect(refused).toHaveLength(15);
    for (const problems of refused) {
      expect(problems).toEqual([expect.stringContaining("Take a `Clock` (src/ports/clock.ts)")]);
    }
    const allowed = clockProblems([
      { file: "src/app/x.ts", code: 'export const at = new Date("2026-11-23T10:00:00Z");\n' },
      { file: "src/jobs/x.ts", code: "export const t = performance.now();\n" },
      { file: "src/composition/x.ts", code: "export const at = new Date();\n" },
      { file: "src/cli/index.ts", code: "export const at = new Date();\n" },
    ]);
    expect(allowed).toEqual([[], [], [], []]);
  });
});
