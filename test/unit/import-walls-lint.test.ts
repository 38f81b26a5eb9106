import { lintSamples } from "../helpers/lint-samples";

const importProblems = (samples: { file: string; code: string }[]) =>
  lintSamples(samples, "no-restricted-imports");

describe("walls in the middle (lint)", () => {
  it("when a use case, route or CLI command imports a PostgreSQL store, pg or a CRM SDK, then lint fails and points to the port", () => {
    const middle = [
      "src/app/some-use-case.ts",
      "src/http/routes/some-route.ts",
      "src/cli/commands/some-command.ts",
    ];
    const wrong = [
      'import { PostgresLeadStore } from "../adapters/postgres/lead-store";\nexport const s = PostgresLeadStore;\n',
      'import { Pool } from "pg";\nexport const p = Pool;\n',
      'import { Connection } from "jsforce";\nexport const c = Connection;\n',
      'import { Client } from "@hubspot/api-client";\nexport const c = Client;\n',
    ];
    const refused = importProblems(middle.flatMap((file) => wrong.map((code) => ({ file, code }))));
    expect(refused).toHaveLength(12);
    for (const problems of refused) expect(problems).toEqual([expect.stringMatching(/src\/ports|CrmPort/)]);
  });

  it("when a file that once ran SQL itself (CLI core/feedback/routing, the HTTP app, the reps and admin routes) imports pg again, then lint fails: no file is exempt", () => {
    const formerlyExempt = [
      "src/cli/commands/core.ts",
      "src/cli/commands/feedback.ts",
      "src/cli/commands/routing.ts",
      "src/http/app.ts",
      "src/http/routes/reps-routes.ts",
      "src/http/routes/admin-routes.ts",
    ];
    const code = 'import { Pool } from "pg";\nexport const p = Pool;\n';
    const refused = importProblems(formerlyExempt.map((file) => ({ file, code })));
    expect(refused).toEqual(formerlyExempt.map(() => [expect.stringContaining("src/ports")]));
  });

  it("when a use case imports a CRM adapter or mapper, then lint fails; routes and the composition root may", () => {
    const code = 'import { toLead } from "../adapters/hubspot/hubspot-mapper";\nexport const t = toLead;\n';
    const [inUseCase, inRoute, inRoot] = importProblems([
      { file: "src/app/some-use-case.ts", code },
      { file: "src/http/routes/x.ts", code },
      { file: "src/composition/x.ts", code },
    ]);
    expect(inUseCase).toEqual([expect.stringContaining("CrmPort")]);
    expect(inRoute).toEqual([]);
    expect(inRoot).toEqual([]);
  });

  it("when the middle imports ports and the domain, or the composition root imports PostgreSQL, then lint passes", () => {
    const allowed = importProblems([
      {
        file: "src/app/x.ts",
        code: 'import type { LeadStore } from "../ports/leads";\nexport type L = LeadStore;\n',
      },
      {
        file: "src/http/routes/x.ts",
        code: 'import { AppError } from "../../domain/errors";\nexport const e = AppError;\n',
      },
      {
        file: "src/composition/x.ts",
        code: 'import { PostgresLeadStore } from "../adapters/postgres/lead-store";\nexport const s = PostgresLeadStore;\n',
      },
    ]);
    expect(allowed).toEqual([[], [], []]);
  });
});
