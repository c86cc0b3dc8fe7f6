// Mutation testing of the runtime code, the Lambda handlers and the release tool (`npm run mutation`; not part of
// CI: it takes minutes; `npx stryker run --mutate "release/**/*.ts"` for one of them). Scores are recorded in the
// docs ("Mutation testing"); keep them at or above 85 %.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  // release/main.ts only hands the process to cli.ts; the bundled CLI runs it in __tests__/release/startup.test.ts,
  // which Stryker cannot instrument.
  mutate: ["lambdas/**/*.ts", "release/**/*.ts", "!release/main.ts"],
  coverageAnalysis: "perTest",
  // The machine is shared: one test runner at a time.
  concurrency: 1,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: ".stryker-tmp",
  // The tests run on an injected clock in milliseconds; a mutant that loops forever is caught fast.
  timeoutMS: 3000,
  ignorePatterns: ["cdktf.out", ".build", "reports", ".gen"],
};
