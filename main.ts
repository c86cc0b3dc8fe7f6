import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { parseEnvironmentConfig, type EnvironmentConfig } from "./stacks/config";
import { ENVIRONMENTS } from "./stacks/environments";
import { PlatformStack } from "./stacks/platform-stack";
import { ENVIRONMENTS_VARIABLE, selectEnvironments } from "./stacks/selection";

/**
 * Validates every environment, then synthesizes the selected ones into a scratch directory and
 * copies the result into place only when all of them succeeded: a bad config or a guardrail
 * violation leaves no half-written output behind.
 */
function main(): void {
  const configs: EnvironmentConfig[] = Object.values(ENVIRONMENTS).map(parseEnvironmentConfig);
  const selected = selectEnvironments(Object.keys(ENVIRONMENTS), process.env[ENVIRONMENTS_VARIABLE]);

  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const scratch = `${outdir}.partial-${process.pid}`;
  try {
    const app = new App({ outdir: scratch });
    for (const config of configs.filter((candidate) => selected.includes(candidate.environment))) {
      new PlatformStack(app, config.environment, config);
    }
    app.synth();
    fs.cpSync(scratch, outdir, { recursive: true });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`synthesis failed: ${message}\n`);
  if (process.env.PLATFORM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
