/**
 * `npm run release -- deploy|rollback|run|status …`: ships images to the services and jobs the
 * stack created, with names from the same environment config. Every argument is checked before
 * the first AWS call; exit 0 success, 1 failed / rolled back / timed out, 2 bad input.
 */
import { parseArgs } from "node:util";
import { ECSClient } from "@aws-sdk/client-ecs";
import type { EnvironmentInput } from "../stacks/config";
import { ReleaseCancelled, ReleaseFailed, Release, type ReleaseResult, type StatusResult } from "./operations";
import type { Clock } from "./retry";
import { checkImageReference, environmentTargets, findTarget, loadEnvironment, UsageError, type ReleaseTarget } from "./targets";
import { shortName } from "./task-definition";

export const USAGE = `Usage: npm run release -- <command> <environment> [<service>] [options] [-- <command> [args...]]

Commands:
  deploy   <environment> <service> [--image <image-ref>]  release = the configuration Terraform registered last
                                                          + the image (default: the one running now); roll it out
                                                          and follow it through every stage to SUCCESSFUL
  rollback <environment> <service>                        during a deployment: stop it (ECS rolls back); otherwise
                                                          deploy again the previous successful release (another image)
  run      <environment> <service> [--image <image-ref>] -- <command> [args...]
                                                          one-off task (e.g. a migration) of the current release, or
                                                          of the configuration with --image; its exit code decides
  status   <environment> [<service>]                      counts, release, image, stage of a deployment, last events

<service> is a service of the environment, or a scheduled job with an image of its own.

Options:
  --image <image-ref>    [registry/]repository[:tag][@sha256:digest]
  --timeout <seconds>    give up waiting after this long (default 900)
  --json                 print one JSON object with the result on stdout
  -h, --help             show this help

Exit codes: 0 success; 1 the rollout failed, was rolled back, timed out or was cancelled (SIGINT/SIGTERM: the
result is still printed; ECS carries on with a deployment, a one-off task is stopped), or the task exited non-zero;
2 bad input (nothing was changed). Credentials and endpoint come from the standard AWS SDK environment.`;

const DEFAULT_TIMEOUT_SECONDS = 900;
const MAX_TIMEOUT_SECONDS = 86_400;

/** What the CLI talks to; tests pass fakes. */
export interface CliContext {
  readonly environments: Readonly<Record<string, EnvironmentInput>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly clock: Clock;
  /** One client per command, in the environment's region. */
  readonly ecsClient: (region: string) => ECSClient;
  /** @default [3, 5, 10, 15] seconds */
  readonly pollSeconds?: readonly number[];
  /**
   * Aborted on SIGINT/SIGTERM.
   * @default - never
   */
  readonly signal?: AbortSignal;
}

/** What cancelOnSignals needs of `process`. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  exit(code: number): never;
  readonly stderr: { write(text: string): unknown };
}

/**
 * A cancelled CI job sends SIGTERM (Ctrl-C: SIGINT): the command then stops waiting, stops a task it started and
 * prints its result. A second signal ends the process at once.
 */
export function cancelOnSignals(source: SignalSource): AbortSignal {
  const cancel = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    source.on(signal, () => {
      if (cancel.signal.aborted) source.exit(1);
      source.stderr.write(`${signal}: stopping and printing the result (send it again to quit at once)\n`);
      cancel.abort(signal);
    });
  }
  return cancel.signal;
}

/** The SDK client the CLI uses: adaptive retries learn from throttling, shared by every call of a command. */
export function defaultEcsClient(region: string): ECSClient {
  return new ECSClient({ region, retryMode: "adaptive", maxAttempts: 6 });
}

type Command = "deploy" | "rollback" | "run" | "status";

interface Invocation {
  readonly command: Command;
  readonly environment: string;
  readonly name?: string;
  readonly image?: string;
  readonly timeoutSeconds: number;
  readonly json: boolean;
  readonly taskCommand: readonly string[];
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  let invocation: Invocation | "help";
  let targets: ReleaseTarget[];
  let environmentName: string;
  try {
    invocation = parseInvocation(argv);
    if (invocation === "help") {
      context.stdout(`${USAGE}\n`);
      return 0;
    }
    environmentName = invocation.environment;
    const config = loadEnvironment(context.environments, invocation.environment);
    targets = invocation.name === undefined ? environmentTargets(config) : [findTarget(config, invocation.name)];
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr(`error: ${error.message}\nRun "npm run release -- --help" for usage.\n`);
      // Scripts that asked for JSON get an object even for bad input.
      const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
      if (own.includes("--json")) context.stdout(`${JSON.stringify({ outcome: "bad-input", reason: error.message })}\n`);
      return 2;
    }
    throw error;
  }

  const started = context.clock.now();
  const progress = (message: string) => {
    const elapsed = Math.round((context.clock.now() - started) / 1000);
    context.stderr(`[${String(elapsed).padStart(4)}s] ${message}\n`);
  };
  const ecs = context.ecsClient(targets[0]?.region ?? "us-east-1");
  const release = new Release({
    ecs,
    clock: context.clock,
    progress,
    timeoutSeconds: invocation.timeoutSeconds,
    pollSeconds: context.pollSeconds,
    signal: context.signal,
  });
  try {
    const result = await execute(release, invocation, targets);
    report(result, invocation.json, context);
    return result.outcome === "succeeded" ? 0 : 1;
  } catch (error) {
    const known = error instanceof ReleaseFailed || error instanceof ReleaseCancelled;
    const message = known ? (error as Error).message : `${(error as Error).name}: ${(error as Error).message}`;
    context.stderr(`error: ${message}\n`);
    if (invocation.json) {
      const outcome = error instanceof ReleaseCancelled ? "cancelled" : "failed";
      context.stdout(`${JSON.stringify({ outcome, command: invocation.command, environment: environmentName, target: invocation.name, reason: message })}\n`);
    }
    return 1;
  } finally {
    ecs.destroy();
  }
}

function execute(release: Release, invocation: Invocation, targets: ReleaseTarget[]): Promise<ReleaseResult | StatusResult> {
  switch (invocation.command) {
    case "deploy":
      return release.deploy(targets[0], invocation.image);
    case "rollback":
      return release.rollback(targets[0]);
    case "run":
      return release.run(targets[0], invocation.taskCommand, invocation.image);
    case "status":
      return release.status(invocation.environment, targets);
  }
}

/** Validates everything before any AWS call; throws UsageError. */
export function parseInvocation(argv: readonly string[]): Invocation | "help" {
  // `run … -- <command>`: everything after the first `--` is the task's command, verbatim.
  const separator = argv.indexOf("--");
  const own = separator === -1 ? [...argv] : argv.slice(0, separator);
  const taskCommand = separator === -1 ? [] : argv.slice(separator + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: {
        image: { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [command, environment, name, ...extra] = positionals;
  if (command === undefined) throw new UsageError("missing command: deploy, rollback, run or status");
  if (!["deploy", "rollback", "run", "status"].includes(command)) {
    throw new UsageError(`unknown command "${command}": expected deploy, rollback, run or status`);
  }
  if (environment === undefined) throw new UsageError(`${command}: missing <environment>`);
  if (name === undefined && command !== "status") throw new UsageError(`${command}: missing <service>`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument "${extra[0]}"`);
  if (command === "run") {
    if (separator === -1 || taskCommand.length === 0) throw new UsageError("run: missing the task's command after --, e.g. -- node migrate.js");
  } else if (separator !== -1) {
    throw new UsageError(`${command}: takes no command after --`);
  }
  if ((command === "rollback" || command === "status") && values.image !== undefined) throw new UsageError(`${command}: takes no --image`);
  if (command === "status" && values.timeout !== undefined) throw new UsageError("status: takes no --timeout");
  return {
    command: command as Command,
    environment,
    name,
    image: values.image === undefined ? undefined : checkImageReference(values.image),
    timeoutSeconds: values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseTimeout(values.timeout),
    json: values.json === true,
    taskCommand,
  };
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(`--timeout: must be a whole number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}, got "${text}"`);
  }
  return seconds;
}

function report(result: ReleaseResult | StatusResult, json: boolean, context: CliContext): void {
  if (json) {
    context.stdout(`${JSON.stringify(result)}\n`);
  }
  if (result.command === "status") {
    if (!json) context.stdout(statusTable(result));
    if (result.reason) context.stderr(`error: ${result.reason}\n`);
    return;
  }
  const subject = result.service ?? result.family;
  const what = result.taskDefinition ? shortName(result.taskDefinition) : "";
  const image = result.image ? ` (${result.image})` : "";
  const summary: Record<string, string> = {
    succeeded: result.command === "run" ? `task exited 0 (${what})` : `${subject} runs ${what}${image}`,
    failed: `${result.command} failed: ${result.reason ?? ""}`,
    "rolled-back": `${result.command} rolled back${result.rollbackTrigger && result.rollbackTrigger !== "unknown" ? ` by the ${result.rollbackTrigger}` : ""}: ${result.reason ?? ""}`,
    "timed-out": `${result.command} timed out: ${result.reason ?? ""}`,
    cancelled: `${result.command} ${result.reason ?? "cancelled"}`,
  };
  context.stderr(`${result.outcome === "succeeded" ? "done" : "error"}: ${summary[result.outcome]} [${result.elapsedSeconds} s]\n`);
  if (result.ecsContinues) context.stderr(`${result.ecsContinues}\n`);
}

function statusTable(result: StatusResult): string {
  const lines = [`${result.environment} (cluster ${result.cluster})`];
  for (const target of result.targets) {
    if (!target.found) {
      lines.push(`  ${target.name}: not found`);
      continue;
    }
    if (target.kind === "job") {
      lines.push(`  ${target.name} (job): revision ${target.revision ?? "?"}, image ${target.image ?? "?"}`);
      continue;
    }
    lines.push(
      `  ${target.name}: ${target.running}/${target.desired} running, ${target.pending} pending; revision ${target.revision ?? "?"}, image ${target.image ?? "?"}; ` +
        `rollout ${target.rolloutState ?? "unknown"}${target.deployments && target.deployments > 1 ? ` (${target.deployments} deployments)` : ""}`,
    );
    if (target.inProgress) lines.push(`    deployment in progress: ${target.inProgress.summary} (${target.inProgress.serviceDeploymentArn ?? "?"})`);
    for (const event of target.events ?? []) lines.push(`    ${event.at ?? ""} ${event.message ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}
