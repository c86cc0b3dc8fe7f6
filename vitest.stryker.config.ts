import { defineConfig } from "vitest/config";

// Vitest settings for StrykerJS (stryker.config.mjs): the tests of `lambdas/` and `release/`. Stryker switches mutants
// at run time, so the test files share one module cache (isolate: false) like the main config. Left out: the release
// tests that spawn the bundled CLI (startup: Stryker cannot mutate the bundle) and the deploy role's IAM simulation
// (it exercises the synthesized policy, not release/).
export default defineConfig({
  test: {
    include: ["__tests__/lambdas/**/*.test.ts", "__tests__/release/**/*.test.ts"],
    exclude: ["__tests__/release/startup.test.ts", "__tests__/release/deploy-role-iam.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    isolate: false,
  },
});
