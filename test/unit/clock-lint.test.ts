import { lintSamples, type LintSample } from "../helpers/lint-samples";

const clockProblems = (samples: LintSample[]): string[][] => lintSamples(samples, "no-restricted-syntax");

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
