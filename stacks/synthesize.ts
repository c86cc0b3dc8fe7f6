import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { Naming } from "../modules/naming";
import { validateEnvironment, type EnvironmentConfig, type EnvironmentInput } from "./config";
import { PlatformStack } from "./platform-stack";
import { releaseDriftWarnings } from "./release-drift";

export interface SynthesizeOptions {
  /** Every environment's raw config, by stack name; all are validated, even those not selected. */
  readonly environments: Readonly<Record<string, EnvironmentInput>>;
  /** Stack names to synthesize. */
  readonly selected: readonly string[];
  /** Where cdktf writes `manifest.json` and `stacks/<env>/cdk.tf.json`. */
  readonly outdir: string;
  /**
   * Receives each warning once: deprecated config spellings, and services whose image, environment or
   * secrets changed since the last synth in `outdir` (releases own what runs; see release-drift.ts).
   * @default - written to stderr
   */
  readonly warn?: (message: string) => void;
}

/**
 * Validates every environment, then synthesizes the selected ones into a scratch directory and
 * copies the result into `outdir` only when all of them succeeded: a bad config or a guardrail
 * violation leaves no half-written output behind.
 */
export function synthesizeEnvironments(options: SynthesizeOptions): void {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const warnings: string[] = [];
  const configs = Object.entries(options.environments).map(([name, input]) => {
    const { config, warnings: deprecations } = validateEnvironment(input);
    if (config.environment !== name) {
      throw new Error(`environment "${name}": its config says environment "${config.environment}"; the stack name and the environment must match`);
    }
    warnings.push(...deprecations.map((message) => `${name}: ${message}`));
    return config;
  });
  const scratch = `${options.outdir}.partial-${process.pid}`;
  try {
    // cdktf's built-in validations shell out to `terraform version` for cloud backends: that fails
    // where terraform is not installed (offline synth, CI) and costs a process spawn per stack where
    // it is. Terraform checks its own version on init; the platform's checks are config validation
    // above and the Guardrails aspect, which still fail synthesis through error annotations.
    const app = new App({ outdir: scratch, skipValidation: true });
    for (const config of configs.filter((candidate) => options.selected.includes(candidate.environment))) {
      new PlatformStack(app, config.environment, config);
    }
    app.synth();
    for (const config of configs.filter((candidate) => options.selected.includes(candidate.environment))) {
      warnings.push(...driftSinceLastSynth(config, scratch, options.outdir));
    }
    fs.cpSync(scratch, options.outdir, { recursive: true });
    warnings.forEach((message) => warn(message));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Release drift of one environment between the previous synth in `outdir` and the new one in `scratch`. */
function driftSinceLastSynth(config: EnvironmentConfig, scratch: string, outdir: string): string[] {
  const file = path.join("stacks", config.environment, "cdk.tf.json");
  if (!fs.existsSync(path.join(outdir, file))) return [];
  const naming = new Naming(config.project, config.environment);
  const services = config.services.map((service) => ({ name: service.name, family: naming.name(service.name) }));
  const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  try {
    return releaseDriftWarnings(config.environment, services, read(outdir), read(scratch));
  } catch {
    return []; // An unreadable previous synth is no baseline; it is about to be replaced anyway.
  }
}
