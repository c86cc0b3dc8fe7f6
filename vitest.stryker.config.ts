import { defineConfig } from "vitest/config";

// Vitest settings for StrykerJS (stryker.config.mjs): only the Lambda handlers' tests, which exercise `lambdas/`.
// Each test file gets a fresh module graph (isolate), so the mutant Stryker activates is the one a file sees;
// the main config's shared module cache (isolate: false) is a speed-up for synthesis tests these do not need.
export default defineConfig({
  test: {
    include: ["__tests__/lambdas/**/*.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    isolate: true,
  },
});
