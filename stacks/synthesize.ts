import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { Naming } from "../modules/platform/naming";
import { jobTaskDefinitionNames, serviceNames } from "../modules/services/platform-names";
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
}

export interface SynthesisResult {
  /**
   * Every warning once: deprecated config spellings, Spot pool advice, and services and jobs whose
   * task definition changed since the last synth in `outdir`, with how each change ships (releases
   * own what runs; see release-drift.ts). Those of synthesized stacks are also in the manifest's annotations, which is
   * what `cdktf synth` prints (it hides a successful app's stderr).
   */
  readonly warnings: readonly string[];
}

/**
 * Validates every environment, then synthesizes the selected ones into a scratch directory and
 * copies the result into `outdir` only when all of them succeeded: a bad config or a guardrail
 * violation leaves no half-written output behind.
 */
export function synthesizeEnvironments(options: SynthesizeOptions): SynthesisResult {
  const deprecations = new Map<string, string[]>();
  const configs = Object.entries(options.environments).map(([name, input]) => {
    const { config, warnings } = validateEnvironment(input, { once: true });
    if (config.environment !== name) {
      throw new Error(`environment "${name}": its config says environment "${config.environment}"; the stack name and the environment must match`);
    }
    deprecations.set(name, warnings.map((message) => `${name}: ${message}`));
    return config;
  });
  const scratch = `${options.outdir}.partial-${process.pid}`;
  try {
    // cdktf's built-in validations shell out to `terraform version` for cloud backends: that fails
    // where terraform is not installed (offline synth, CI) and costs a process spawn per stack where
    // it is. Terraform checks its own version on init; the platform's checks are config validation
    // above and the Guardrails aspect, which still fail synthesis through error annotations.
    const app = new App({ outdir: scratch, skipValidation: true });
    const selected = configs.filter((candidate) => options.selected.includes(candidate.environment));
    const stacks = selected.map((config) => new PlatformStack(app, config.environment, config));
    app.synth();
    // Known from the config or the written stack rather than from a construct, so they join the
    // stacks' own annotations (Spot advice) in the manifest here.
    const late = new Map(selected.map((config) => [config.environment, [...(deprecations.get(config.environment) ?? []), ...driftSinceLastSynth(config, scratch, options.outdir)]]));
    addWarningAnnotations(scratch, late);
    moveInto(scratch, options.outdir);
    const unselected = [...deprecations].filter(([name]) => !late.has(name)).flatMap(([, messages]) => messages);
    return { warnings: [...unselected, ...stacks.flatMap((stack) => [...(late.get(stack.node.id) ?? []), ...stack.spotAdviceWarnings, ...stack.registryWarnings])] };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Adds warnings to the stacks' annotations in the manifest cdktf wrote, as `Annotations.addWarning` would. */
function addWarningAnnotations(outdir: string, warnings: ReadonlyMap<string, readonly string[]>): void {
  if ([...warnings.values()].every((messages) => messages.length === 0)) return;
  const file = path.join(outdir, "manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const [stack, messages] of warnings) {
    const entry = manifest.stacks[stack];
    entry.annotations = [...(entry.annotations ?? []), ...messages.map((message) => ({ constructPath: stack, level: "@cdktf/warn", message, stacktrace: [] }))];
  }
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
}

/**
 * Puts every file below `from` at the same place below `to`, replacing what is there and keeping
 * the rest (what `cdktf deploy` left there), like a recursive copy; renamed rather than copied, as
 * both are on one file system.
 */
function moveInto(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) moveInto(source, target);
    else fs.renameSync(source, target);
  }
}

/** Release drift of one environment between the previous synth in `outdir` and the new one in `scratch`. */
function driftSinceLastSynth(config: EnvironmentConfig, scratch: string, outdir: string): string[] {
  const file = path.join("stacks", config.environment, "cdk.tf.json");
  if (!fs.existsSync(path.join(outdir, file))) return [];
  const [previous, next] = [outdir, scratch].map((dir) => fs.readFileSync(path.join(dir, file)));
  // The usual synth changes nothing: no stack to parse.
  if (previous.equals(next)) return [];
  const naming = new Naming(config.project, config.environment);
  const released = [
    ...config.services.map((service) => ({ name: service.name, kind: "service" as const, family: serviceNames(naming, service.name).family })),
    ...config.scheduledTasks.filter((job) => job.image !== undefined).map((job) => ({ name: job.name, kind: "job" as const, family: jobTaskDefinitionNames(naming, job.name).family })),
  ];
  try {
    return releaseDriftWarnings(config.environment, released, JSON.parse(previous.toString("utf8")), JSON.parse(next.toString("utf8")));
  } catch {
    return []; // An unreadable previous synth is no baseline; it is about to be replaced anyway.
  }
}
