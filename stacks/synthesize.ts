import * as fs from "node:fs";
import { App } from "cdktf";
import { parseEnvironmentConfig, type EnvironmentInput } from "./config";
import { PlatformStack } from "./platform-stack";

export interface SynthesizeOptions {
  /** Every environment's raw config, by stack name; all are validated, even those not selected. */
  readonly environments: Readonly<Record<string, EnvironmentInput>>;
  /** Stack names to synthesize. */
  readonly selected: readonly string[];
  /** Where cdktf writes `manifest.json` and `stacks/<env>/cdk.tf.json`. */
  readonly outdir: string;
}

export interface SynthesisResult {
  /** Warnings of the synthesized stacks (Spot pool advice), once each; also in the manifest's annotations. */
  readonly warnings: readonly string[];
}

/**
 * Validates every environment, then synthesizes the selected ones into a scratch directory and
 * copies the result into `outdir` only when all of them succeeded: a bad config or a guardrail
 * violation leaves no half-written output behind.
 */
export function synthesizeEnvironments(options: SynthesizeOptions): SynthesisResult {
  const configs = Object.entries(options.environments).map(([name, input]) => {
    const config = parseEnvironmentConfig(input);
    if (config.environment !== name) {
      throw new Error(`environment "${name}": its config says environment "${config.environment}"; the stack name and the environment must match`);
    }
    return config;
  });
  const scratch = `${options.outdir}.partial-${process.pid}`;
  try {
    // cdktf's built-in validations shell out to `terraform version` for cloud backends: that fails
    // where terraform is not installed (offline synth, CI) and costs a process spawn per stack where
    // it is. Terraform checks its own version on init; the platform's checks are config validation
    // above and the Guardrails aspect, which still fail synthesis through error annotations.
    const app = new App({ outdir: scratch, skipValidation: true });
    const stacks = configs
      .filter((candidate) => options.selected.includes(candidate.environment))
      .map((config) => new PlatformStack(app, config.environment, config));
    app.synth();
    fs.cpSync(scratch, options.outdir, { recursive: true });
    return { warnings: stacks.flatMap((stack) => stack.spotAdviceWarnings) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
