// Mutation testing of the Lambda handlers (`npm run mutation`; not part of CI: it takes minutes).
// Score recorded in README ("Mutation testing"); keep it at or above 85 %.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  mutate: ["lambdas/**/*.ts"],
  coverageAnalysis: "perTest",
  // The machine is shared: one test runner at a time.
  concurrency: 1,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: ".stryker-tmp",
  // The handlers' tests run on an injected clock in milliseconds; a mutant that loops forever is caught fast.
  timeoutMS: 3000,
  ignorePatterns: ["cdktf.out", ".build", "reports", ".gen"],
};
