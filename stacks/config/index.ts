/**
 * Environment configuration: the schema, its defaults (this folder is the one place they live, one
 * file per concern, assembled here) and the checks that types alone cannot express.
 * `parseEnvironmentConfig` is the only way a stack gets its config, so every environment is
 * validated before anything is synthesized.
 */
import { z } from "zod";
import { checkCapacityAcrossSections } from "./capacity-rules";
import { checkDeploymentAcrossSections } from "./deployment-rules";
import { checkTaskFit } from "./task-fit";
import { routingIssues } from "../routing";
import { describeIssues } from "./problems";
import { placeholderProblems } from "./placeholders";
import { strictEverywhere } from "./strict-schema";
import { SPOT_WARNING_SECONDS } from "./validators";
import { lambdasSchema, logsKmsKeySchema, stepFunctionsSchema, checkSecurityCrossReferences } from "./security";
import { REGION, ACCOUNT_ID, dnsName, logRetentionDays, collectingDeprecations } from "./fields";
import { backendSchema } from "./backend";
import { networkSchema } from "./network";
import { capacitySchema } from "./compute";
import { ciDeploySchema, serviceSchema } from "./services";
import { scheduledTaskSchema } from "./jobs";
import { loadBalancerSchema } from "./traffic";
import { alertsSchema, amiWatchSchema, spotDrainerSchema, spotDrillSchema } from "./operations";
import { mutableImageWarnings } from "./image-tags";
import { checkSpotFallback, spotFallbackSchema } from "./spot-fallback";
import { ecrSchema } from "./registry";

const environmentSchema = z
  .object({
    project: dnsName(20).describe("Project name: the first part of every resource name and the `project` tag."),
    environment: dnsName(12).describe("Environment name: equals the stack name (the key in stacks/environments/index.ts)."),
    region: z.string().regex(REGION, "must be an AWS region such as eu-west-1").describe("AWS region of the stack, e.g. `eu-west-1`."),
    allowedAccountIds: z.array(z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account id")).optional().describe("Refuse to plan or apply against any other AWS account (provider `allowed_account_ids`)."),
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}).describe("Extra default tags on every resource; project, environment and managed-by are always set and cannot be overridden."),
    backend: backendSchema.default({ type: "local" }).describe("Where Terraform keeps the state."),
    network: networkSchema.describe("The VPC: an existing one, or one created for the environment."),
    capacity: capacitySchema.describe("EC2 capacity of the cluster: on-demand base and Spot."),
    loadBalancer: loadBalancerSchema.prefault({}).describe("The Application Load Balancer in front of the web services."),
    logs: z
      .object({
        retentionDays: logRetentionDays().default(30).describe("Days CloudWatch keeps the logs of services, jobs and functions."),
        kmsKey: logsKmsKeySchema(),
        containerInsightsLogGroup: z
          .boolean()
          .default(false)
          .describe(
            "Create the log group Container Insights writes to (/aws/ecs/containerinsights/<cluster>/performance) before the cluster, with retentionDays and kmsKey. Off, ECS creates it itself, with its own retention and not under the logs key. A cluster that already ran tasks has it: import it before turning this on (docs/observability.md).",
          ),
      })
      .prefault({})
      .describe("Log retention of the environment."),
    services: z.array(serviceSchema).default([]).describe("The ECS services."),
    scheduledTasks: z.array(scheduledTaskSchema).default([]).describe("Jobs run as ECS tasks on a schedule."),
    spotDrainer: spotDrainerSchema,
    spotDrill: spotDrillSchema,
    amiWatch: amiWatchSchema,
    spotFallback: spotFallbackSchema,
    alerts: alertsSchema,
    ecr: ecrSchema,
    ciDeploy: ciDeploySchema.optional().describe("A role CI assumes through OIDC to push images and roll out releases."),
    stepFunctions: stepFunctionsSchema(),
    lambdas: lambdasSchema(),
  })
  .superRefine(checkCrossReferences);

/** The schema as parsed: every object in it refuses unknown keys (see strict-schema.ts), including objects added later. */
const strictEnvironmentSchema = strictEverywhere(environmentSchema);

/** The environment schema as validation applies it; `docs/` is generated from it (`npm run docs`). */
export const ENVIRONMENT_SCHEMA: z.ZodType<EnvironmentConfig, EnvironmentInput> = strictEnvironmentSchema;

/** Rules that span sections: uniqueness, references between services and jobs, and the Spot timing budget. */
function checkCrossReferences(config: z.output<typeof environmentSchema>, ctx: z.RefinementCtx): void {
  const serviceNames = new Set<string>();
  const hostOwners = new Map<string, string>();
  config.services.forEach((service, index) => {
    if (serviceNames.has(service.name)) {
      ctx.addIssue({ code: "custom", path: ["services", index, "name"], message: `duplicate service name "${service.name}"` });
    }
    serviceNames.add(service.name);
    service.hostHeaders.forEach((host, hostIndex) => {
      const key = `${host.toLowerCase()} ${service.pathPatterns.join(",")}`;
      const owner = hostOwners.get(key);
      if (owner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", index, "hostHeaders", hostIndex],
          message: `host "${host}" is already routed to service "${owner}"`,
        });
      } else {
        hostOwners.set(key, service.name);
      }
    });
    if (service.capacityPool !== "default" && config.capacity.mode === "spot-fleet") {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "capacityPool"],
        message: `unknown capacity pool "${service.capacityPool}": spot-fleet mode has no capacity providers, use "default"`,
      });
    }
  });
  checkSpotTimingBudget(config, ctx);
  checkCapacityAcrossSections(config, ctx);
  checkDeploymentAcrossSections(config, ctx);
  checkTaskFit(config, ctx);
  for (const issue of routingIssues(config)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  checkSecurityCrossReferences(config, ctx);
  checkSpotFallback(config, ctx);
  if (config.spotDrainer.drainOnRebalance && config.capacity.mode !== "spot-fleet") {
    ctx.addIssue({
      code: "custom",
      path: ["spotDrainer", "drainOnRebalance"],
      message: "only applies in spot-fleet mode: ASGs with capacity rebalance replace such instances themselves and managed draining moves their tasks",
    });
  }
  if (config.amiWatch.enabled && config.amiWatch.autoRefresh) {
    if (config.capacity.amiId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["amiWatch", "autoRefresh"], message: "has no effect while capacity.amiId pins the AMI: move the pin instead" });
    }
    if (config.capacity.mode === "spot-fleet" && !config.spotDrainer.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["amiWatch", "autoRefresh"],
        message: "in spot-fleet mode needs spotDrainer.enabled: only its lifecycle hook drains the on-demand ASG, so a refresh would stop its tasks undrained",
      });
    }
  }
  const jobNames = new Set<string>();
  config.scheduledTasks.forEach((job, index) => {
    if (jobNames.has(job.name)) {
      ctx.addIssue({ code: "custom", path: ["scheduledTasks", index, "name"], message: `duplicate scheduled task name "${job.name}"` });
    }
    jobNames.add(job.name);
    if (job.service !== undefined) {
      const target = config.services.find((service) => service.name === job.service);
      if (!target) {
        const known = config.services.filter((service) => service.kind === "web").map((service) => `"${service.name}"`);
        ctx.addIssue({
          code: "custom",
          path: ["scheduledTasks", index, "service"],
          message: `job "${job.name}": unknown service "${job.service}"; services it can run: ${known.length > 0 ? known.join(", ") : "none (give the job an image instead)"}`,
        });
      } else if (target.kind === "daemon") {
        ctx.addIssue({ code: "custom", path: ["scheduledTasks", index, "service"], message: `job "${job.name}": service "${job.service}" is a daemon` });
      }
    }
    if (job.capacityPool !== "default" && config.capacity.mode === "spot-fleet") {
      ctx.addIssue({
        code: "custom",
        path: ["scheduledTasks", index, "capacityPool"],
        message: `job "${job.name}": unknown capacity pool "${job.capacityPool}": spot-fleet mode has no capacity providers, use "default"`,
      });
    }
  });
}

/** The longest SIGTERM-to-SIGKILL grace of any container on the instances, and the field that sets it. */
export interface StopTimeout {
  readonly seconds: number;
  /** Config path of the setting, e.g. `services[agent].stopTimeoutSeconds`. */
  readonly field: string;
}

/**
 * The longest stop timeout in the environment: the services' own and the agent default
 * (capacity.containerStopTimeoutSeconds) for containers without one. The Spot drainer sends StopTask
 * this long before its deadline, so it bounds the time left for every target's deregistration.
 */
export function longestStopTimeout(config: Pick<EnvironmentConfig, "capacity" | "services">): StopTimeout {
  return config.services.reduce<StopTimeout>(
    (longest, service) =>
      service.stopTimeoutSeconds > longest.seconds ? { seconds: service.stopTimeoutSeconds, field: `services[${service.name}].stopTimeoutSeconds` } : longest,
    { seconds: config.capacity.containerStopTimeoutSeconds, field: "capacity.containerStopTimeoutSeconds" },
  );
}

/**
 * Everything a Spot interruption sets off must fit the 2-minute warning, minus the drain margin:
 * each load-balanced service's deregistration delay plus the longest stop timeout (the drainer
 * stops all tasks that long before its deadline), and each stop timeout on its own (daemons are
 * stopped too, and containers without a stopTimeout get the agent default).
 */
function checkSpotTimingBudget(config: z.output<typeof environmentSchema>, ctx: z.RefinementCtx): void {
  const margin = config.spotDrainer.deadlineMarginSeconds;
  const fits = (seconds: number): boolean => seconds + margin <= SPOT_WARNING_SECONDS;
  const tooLong = `does not fit the ${SPOT_WARNING_SECONDS} s Spot interruption warning`;
  const marginTerm = `spotDrainer.deadlineMarginSeconds (${margin})`;
  const longest = longestStopTimeout(config);

  if (!fits(config.capacity.containerStopTimeoutSeconds)) {
    ctx.addIssue({
      code: "custom",
      path: ["capacity", "containerStopTimeoutSeconds"],
      message: `containerStopTimeoutSeconds (${config.capacity.containerStopTimeoutSeconds}) + ${marginTerm} = ${config.capacity.containerStopTimeoutSeconds + margin} s ${tooLong}`,
    });
  }
  config.services.forEach((service, index) => {
    if (service.kind === "web") {
      // Name the service's own field when it is (one of) the longest: that is where the fix usually goes.
      const stopTerm =
        service.stopTimeoutSeconds === longest.seconds
          ? `stopTimeoutSeconds (${longest.seconds})`
          : `the longest stop timeout on the instances (${longest.field} = ${longest.seconds})`;
      const budget = service.deregistrationDelaySeconds + longest.seconds + margin;
      if (budget > SPOT_WARNING_SECONDS) {
        ctx.addIssue({
          code: "custom",
          path: ["services", index, "deregistrationDelaySeconds"],
          message: `service "${service.name}": deregistrationDelaySeconds (${service.deregistrationDelaySeconds}) + ${stopTerm} + ${marginTerm} = ${budget} s ${tooLong}`,
        });
      }
    } else if (!fits(service.stopTimeoutSeconds)) {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "stopTimeoutSeconds"],
        message: `service "${service.name}": stopTimeoutSeconds (${service.stopTimeoutSeconds}) + ${marginTerm} = ${service.stopTimeoutSeconds + margin} s ${tooLong}`,
      });
    }
  });
}

/** What an environment file holds: defaults may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ServiceConfig = EnvironmentConfig["services"][number];
export type ScheduledTaskConfig = EnvironmentConfig["scheduledTasks"][number];
export type CapacityConfig = EnvironmentConfig["capacity"];
export type NetworkConfig = EnvironmentConfig["network"];
export type BackendConfig = EnvironmentConfig["backend"];
export type LoadBalancerConfig = EnvironmentConfig["loadBalancer"];

/** Thrown for an invalid environment; the message lists every problem as `field.path: what is wrong`. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration for environment "${environment}":\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export interface ValidationOptions {
  /**
   * Whether this process validates only a few environments: zod then interprets the schema instead
   * of compiling a parser for each object in it (`jitless`), which costs more than a synth's few
   * validations save (~100 ms) and pays off only over many (tests).
   * @default false
   */
  readonly once?: boolean;
}

/** A validated environment and what it still should change (deprecated spellings), one line each. */
export interface ValidatedEnvironment {
  readonly config: EnvironmentConfig;
  readonly warnings: readonly string[];
}

/**
 * Validates one environment and fills in defaults, or throws a ConfigError listing every problem:
 * unknown fields (with the closest known one), placeholders left by `npm run new-env`, and every
 * value the schema refuses, each with its path (list items by name) and the offending value.
 */
export function validateEnvironment(input: unknown, options: ValidationOptions = {}): ValidatedEnvironment {
  const warnings: string[] = [];
  const result = collectingDeprecations(warnings, () => strictEnvironmentSchema.safeParse(input, { jitless: options.once }));
  const placeholders = placeholderProblems(input);
  if (result.success && placeholders.length === 0) return { config: result.data, warnings: [...new Set([...warnings, ...mutableImageWarnings(result.data)])] };
  // A placeholder also fails its field's own check; its line says what to fill, so the other is left out.
  const filled = (line: string) => !placeholders.some((problem) => line.startsWith(problem.slice(0, problem.indexOf(": ") + 2)));
  const problems = [...placeholders, ...(result.success ? [] : describeIssues(result.error.issues, input).filter(filled))];
  const name =
    typeof input === "object" && input !== null && typeof (input as { environment?: unknown }).environment === "string"
      ? (input as { environment: string }).environment
      : "(unnamed)";
  throw new ConfigError(name, problems);
}

/** Validates one environment and fills in defaults, or throws a ConfigError listing every problem. */
export function parseEnvironmentConfig(input: unknown): EnvironmentConfig {
  return validateEnvironment(input).config;
}
