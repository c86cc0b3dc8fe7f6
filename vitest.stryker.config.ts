import { defineConfig } from "vitest/config";

// Vitest settings for StrykerJS (stryker.config.mjs): only the Lambda handlers' tests, which exercise `lambdas/`.
// Stryker switches mutants at run time, so the test files share one module cache (isolate: false) like the main
// config; only the handler modules are loaded, never cdktf.
export default defineConfig({
  test: {
    include: ["__tests__/lambdas/**/*.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    isolate: false,
  },
});
