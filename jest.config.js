/** Jest: @swc/jest transpiles TypeScript (typecheck is its own step in `npm test`). */
const transform = {
  "^.+\\.(t|j|mj)sx?$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
};
// ESM-only dependencies are transpiled to CommonJS for jest's module system.
const esmDeps = [
  "pg-boss",
  "serialize-error",
  "non-error",
  "rrule-temporal",
  "temporal-spec",
  "nock",
  "@mswjs/interceptors",
  "rettime",
  "@open-draft",
  "outvariant",
  "strict-event-emitter",
  "is-node-process",
];
const transformIgnorePatterns = [`/node_modules/(?!(${esmDeps.join("|")})/)`];
const common = {
  transform,
  transformIgnorePatterns,
  testEnvironment: "node",
  moduleFileExtensions: ["js", "mjs", "cjs", "ts", "tsx", "json"],
};

module.exports = {
  globalSetup: "<rootDir>/test/helpers/global-setup.ts",
  globalTeardown: "<rootDir>/test/helpers/global-teardown.ts",
  testTimeout: 30000,
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { ...common, displayName: "contract", testMatch: ["<rootDir>/test/contract/**/*.test.ts"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"] },
    { ...common, displayName: "faults", testMatch: ["<rootDir>/test/faults/**/*.test.ts"] },
  ],
};
