import { defineConfig } from "vitest/config";

// Vitest settings for StrykerJS (stryker.config.mjs): the tests of `lambdas/` and `release/`. Stryker switches mutants
// at run time, so the test files share one module cache (isolate: false) like the main config. Left out: the release
// tests that synthesize stacks (a test runner restarted after a timed-out mutant would synthesize again) or spawn the
// bundled CLI (Stryker cannot mutate the bundle); release-scenarios.test.ts runs the same model without a synth.
export default defineConfig({
  test: {
    include: ["__tests__/lambdas/**/*.test.ts", "__tests__/release/**/*.test.ts"],
    exclude: ["__tests__/release/startup.test.ts", "__tests__/release/deploy-role-iam.test.ts", "__tests__/release/releases-own-the-revision.test.ts", "__tests__/release/names.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    isolate: false,
  },
});
