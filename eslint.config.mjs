import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
