import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Adapters the middle must not import: the composition root wires them in behind a port. */
const WALLS = [
  {
    regex: "(^|/)adapters/postgres(/|$)",
    message: "Depend on the port in src/ports/ and let src/composition/ pass the PostgreSQL store in.",
  },
  { regex: "^pg$", message: "SQL lives in src/adapters/postgres/ only; depend on a port from src/ports/." },
  {
    regex: "^(jsforce|@hubspot/api-client)(/|$)",
    message: "CRM SDKs stay in src/adapters/hubspot|salesforce/; depend on CrmPort (src/ports/crm.ts).",
  },
];

const CRM_ADAPTERS = [
  {
    regex: "(^|/)adapters/(hubspot|salesforce)(/|$)",
    message:
      "Use cases see a CRM through CrmPort (src/ports/crm.ts) only; CRM words stay in its adapter folder.",
  },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", ".handoff/", "crm-cards/", "jest.config.js", "bin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/ban-ts-comment": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Time is injected: outside the composition roots, code takes a `Clock` (src/ports/clock.ts) and never reads
    // the machine's clock, so tests decide what day it is. Durations use performance.now(). The sandbox is a
    // simulated CRM with a clock of its own in its state.
    files: ["src/**/*.ts"],
    ignores: ["src/main.ts", "src/cli/index.ts", "src/composition/**", "src/sandbox/**", "src/domain/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: "Take a `Clock` (src/ports/clock.ts) instead of reading the machine's clock.",
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Take a `Clock` (src/ports/clock.ts) instead of reading the machine's clock.",
        },
      ],
    },
  },
  {
    // Walls in the middle: use cases, routes and CLI commands talk to ports (src/ports), never to PostgreSQL or a CRM
    // SDK; the composition root (src/composition) hands them the adapters. No file is exempt.
    files: ["src/app/**/*.ts", "src/http/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: WALLS }],
    },
  },
  {
    // Use cases see a CRM only through CrmPort: no adapter, mapper or SDK of a CRM.
    files: ["src/app/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...WALLS, ...CRM_ADAPTERS] }],
    },
  },
  {
    // Adapters sit at the bottom: they implement ports and may import the domain, the ports and each other, never
    // the layers that use them (workers, routes, use cases, the CLI, the composition root). pg-boss's queue names
    // and job rows live in src/adapters/postgres/queues.ts, so src/jobs/ imports from the adapter, not the reverse.
    files: ["src/adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+(jobs|http|app|cli|composition)(/|$)",
              message:
                "src/adapters/ never imports the layers above it (jobs, http, app, cli, composition); move what it needs down into src/adapters/ or src/ports/.",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: plain data in and out. It may import only other domain files.
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\./|\\.\\./domain/)",
              message: "src/domain/ imports nothing from outside src/domain/ (no libraries, no adapters).",
            },
            {
              regex: "^\\.\\./\\.\\.",
              message: "src/domain/ imports nothing from outside src/domain/.",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Pass `now` in; the domain never reads the clock.",
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Pass `now` in; the domain never reads the clock.",
        },
      ],
    },
  },
);
