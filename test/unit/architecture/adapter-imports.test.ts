import path from "node:path";
import { importsOf, sourceFiles } from "../../helpers/import-graph";
import { lintSamples } from "../../helpers/lint-samples";

const ROOT = path.resolve(__dirname, "../../..");

/** The layers above the adapters: they use adapters (wired by the composition root), never the reverse. */
const ABOVE = ["src/jobs", "src/http", "src/app", "src/cli", "src/composition"];

/** Each import from `src/adapters/` into a layer above it, as `importer → imported`. */
function importsGoingUp(files: string[]): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .map((imported) => path.relative(ROOT, imported))
      .filter((imported) => ABOVE.some((layer) => imported.startsWith(`${layer}/`)))
      .map((imported) => `${path.relative(ROOT, file)} → ${imported}`),
  );
}

describe("adapters never import the layers above them", () => {
  it("when an adapter needs pg-boss wiring or an HTTP helper, then it finds it in src/adapters or src/ports (no file in src/adapters imports src/jobs, src/http, src/app, src/cli or src/composition)", () => {
    expect(importsGoingUp(sourceFiles(path.join(ROOT, "src/adapters")))).toEqual([]);
  });

  it("when an adapter imports the job queue wiring or a route, then lint fails and says where it belongs", () => {
    const samples = [
      {
        file: "src/adapters/postgres/some-store.ts",
        code: 'import { startBoss } from "../../jobs/boss";\nexport const s = startBoss;\n',
      },
      {
        file: "src/adapters/hubspot/some-adapter.ts",
        code: 'import { httpStatus } from "../../http/error-handler";\nexport const h = httpStatus;\n',
      },
      {
        file: "src/adapters/some-helper.ts",
        code: 'import { retryPolicy } from "../jobs/retry-policy";\nexport const r = retryPolicy;\n',
      },
      {
        file: "src/adapters/postgres/queue-user.ts",
        code: 'import { QUEUES } from "./queues";\nimport http from "node:http";\nexport const q = [QUEUES, http];\n',
      },
    ];
    const [store, crm, helper, fine] = lintSamples(samples, "no-restricted-imports");
    for (const refused of [store, crm, helper]) {
      expect(refused).toEqual([expect.stringContaining("never imports the layers above it")]);
    }
    expect(fine).toEqual([]);
  });
});
