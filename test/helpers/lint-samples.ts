import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "../..");

export interface LintSample {
  /** Where the code would live, relative to the repository root (the config's file globs apply). */
  file: string;
  code: string;
}

/**
 * Lints code samples as if they were files of the project, with the project's own eslint config, and returns
 * each sample's messages from `ruleId`. ESLint loads its ESM config itself, so it runs in a child process.
 */
export function lintSamples(samples: LintSample[], ruleId: string): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const path = require("node:path");
    const [samples, ruleId] = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const s of samples) {
        const [r] = await eslint.lintText(s.code, { filePath: path.join(process.cwd(), s.file) });
        out.push(r.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const json = execFileSync(process.execPath, ["-e", script, JSON.stringify([samples, ruleId])], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(json) as string[][];
}
