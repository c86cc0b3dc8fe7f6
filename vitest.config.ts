import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["__tests__/**/*.test.ts"],
    setupFiles: ["__tests__/setup.ts"],
    globalSetup: ["__tests__/temporary-directory.ts"],
    // The AWS SDK prints a block about Node versions it will drop in 2027 once per process; it is for
    // the people running the tools, not the suite's output (the tools still print it).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 30_000,
    // Synthesizing whole stacks is CPU-bound; two cores here, so two workers.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // One module cache per worker instead of per file: cdktf and the provider classes load once,
    // which cuts the suite from ~40 s to ~11 s. Tests therefore keep no global state between files
    // (aws-sdk-client-mock mocks are reset after each test; env stubs and timers are restored).
    isolate: false,
  },
});
