/**
 * How a web service's new revisions reach its clients: ECS rolling replacement (today's default), or one of
 * ECS's traffic-shifting strategies (canary, linear, blue/green) with bake time, test traffic, verification
 * hooks and alarm rollback. cdktf-free: config validation and tools that only read config load it.
 */
import { z } from "zod";
import { ARN, int } from "./fields";

/** The strategies that start a second full set of tasks and move load balancer traffic to it. */
export const TRAFFIC_SHIFTING_STRATEGIES = ["canary", "linear", "blue-green"] as const;
export type TrafficShiftingStrategy = (typeof TRAFFIC_SHIFTING_STRATEGIES)[number];
export type DeploymentStrategy = "rolling" | TrafficShiftingStrategy;

/**
 * Stages a lifecycle hook may run at (hashicorp/aws 6.25.0 validates them against the SDK's enum; the newer
 * PRE_PRODUCTION_TRAFFIC_SHIFT is left out until the provider is known to accept it).
 */
export const HOOK_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const;

const minutes = () => int(0, 1440);
/** AWS's guidance for a canary (5-10 %, 10-30 minutes of evaluation) and ECS's linear defaults. */
const CANARY_DEFAULTS = { percent: 10, bakeMinutes: 10 };
const LINEAR_DEFAULTS = { stepPercent: 10, stepBakeMinutes: 6 };
const HTTP_HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/;

export const deploymentSchema = z
  .object({
    strategy: z
      .enum(["rolling", ...TRAFFIC_SHIFTING_STRATEGIES])
      .default("rolling")
      .describe(
        "`rolling`: ECS replaces tasks in batches (minHealthyPercent/maxPercent). `canary`, `linear`, `blue-green`: ECS starts a full second set of tasks, shifts load balancer traffic to it (a small share first, in equal steps, or all at once), keeps the old set through the bake time and rolls back on alarms or a failed hook. Needs networkMode `awsvpc` and capacity-providers mode; costs double capacity while it runs (see docs/progressive-delivery.md).",
      ),
    canary: z
      .object({
        percent: z.number().min(0.1, "must be >= 0.1").max(100, "must be <= 100").default(CANARY_DEFAULTS.percent).describe("Share of production traffic the new revision gets first (0.1-100)."),
        bakeMinutes: minutes().default(CANARY_DEFAULTS.bakeMinutes).describe("Minutes at that share before the rest moves."),
      })
      .optional()
      .describe("Canary steps (strategy `canary` only). Default: 10 % for 10 minutes."),
    linear: z
      .object({
        stepPercent: z.number().min(3, "must be >= 3").max(100, "must be <= 100").default(LINEAR_DEFAULTS.stepPercent).describe("Share of production traffic moved per step (3-100)."),
        stepBakeMinutes: minutes().default(LINEAR_DEFAULTS.stepBakeMinutes).describe("Minutes between steps (none after the last)."),
      })
      .optional()
      .describe("Linear steps (strategy `linear` only). Default: 10 % every 6 minutes."),
    bakeMinutes: minutes()
      .optional()
      .describe("Minutes the old revision keeps running after all traffic moved, so a rollback is instant. Default 10 for the traffic-shifting strategies; refused for `rolling`."),
    testTraffic: z
      .object({
        header: z.string().regex(HTTP_HEADER_NAME, "must be an HTTP header name of at most 40 characters").default("X-Deployment-Test").describe("Header that routes a request to the new revision while it deploys."),
        value: z.string().regex(/^[\x21-\x7e]{1,128}$/, "must be 1-128 printable characters without spaces").describe("Value the header must have. Not an access control: it only picks the revision."),
      })
      .optional()
      .describe("A test listener rule: requests to the service's hosts/paths carrying this header reach only the new revision from the test traffic shift on, before production traffic moves."),
    verify: z
      .object({
        path: z.string().regex(/^\/[\x21-\x7e]*$/, "must start with / and contain no spaces").default("/health").describe("Path the check requests through the test rule."),
        expectedStatus: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, "must be HTTP codes such as 200 or 200-399").default("200-399").describe("HTTP codes that pass."),
        attempts: int(1, 100).default(10).describe("Checks before the deployment is failed (and rolled back)."),
        intervalSeconds: int(5, 900).default(30).describe("Seconds between checks (ECS calls the hook again after this delay)."),
      })
      .optional()
      .describe("The shipped verification hook: after the test traffic shift it requests `path` with the test header until it answers `expectedStatus`, and fails the deployment after `attempts`. Needs testTraffic."),
    hooks: z
      .array(
        z.object({
          functionArn: z.string().regex(ARN, "must be a Lambda function ARN").describe("Your Lambda function; the hook contract is in docs/progressive-delivery.md."),
          stages: z.array(z.enum(HOOK_STAGES)).min(1, "must list at least one stage").describe(`Stages it runs at: ${HOOK_STAGES.join(", ")}.`),
          details: z.record(z.string(), z.unknown()).optional().describe("JSON object ECS passes to every call as `hookDetails`."),
        }),
      )
      .default([])
      .describe("Your own verification hooks (Lambda functions ECS calls at the stages listed; SUCCEEDED, FAILED or IN_PROGRESS)."),
    latencyAlarmMilliseconds: int(1, 600000)
      .optional()
      .describe("Also roll back when the targets' p99 response time exceeds this (2 minutes running). Default: no latency alarm."),
  })
  .prefault({})
  .superRefine((deployment, ctx) => {
    const shifting = deployment.strategy !== "rolling";
    const onlyFor = (field: "canary" | "linear", strategy: string) => {
      if (deployment[field] !== undefined && deployment.strategy !== strategy) {
        ctx.addIssue({ code: "custom", path: [field], message: `only applies to strategy "${strategy}" (strategy is "${deployment.strategy}")` });
      }
    };
    onlyFor("canary", "canary");
    onlyFor("linear", "linear");
    if (!shifting) {
      for (const field of ["bakeMinutes", "testTraffic", "verify"] as const) {
        if (deployment[field] !== undefined) {
          ctx.addIssue({ code: "custom", path: [field], message: 'only applies to the traffic-shifting strategies (canary, linear, blue-green): a rolling deployment has no second revision to bake or test' });
        }
      }
      if (deployment.hooks.length > 0) {
        ctx.addIssue({ code: "custom", path: ["hooks"], message: "only applies to the traffic-shifting strategies (canary, linear, blue-green): ECS runs no lifecycle hooks in rolling deployments" });
      }
    }
    if (deployment.verify !== undefined && deployment.testTraffic === undefined) {
      ctx.addIssue({ code: "custom", path: ["verify"], message: "needs testTraffic: the check reaches the new revision through the test rule" });
    }
  });

export type DeploymentConfig = z.output<typeof deploymentSchema>;

/** Whether a service's deployments start a second full set of tasks and shift traffic to it. */
export function shiftsTraffic(deployment: Pick<DeploymentConfig, "strategy">): deployment is DeploymentConfig & { strategy: TrafficShiftingStrategy } {
  return deployment.strategy !== "rolling";
}

/** The deployment bake time in minutes: the configured one, or 10 for traffic-shifting strategies. */
export function bakeMinutes(deployment: DeploymentConfig): number {
  return deployment.bakeMinutes ?? 10;
}

/** A canary deployment's steps: the configured ones or the defaults. */
export function canarySteps(deployment: DeploymentConfig): { percent: number; bakeMinutes: number } {
  return deployment.canary ?? CANARY_DEFAULTS;
}

/** A linear deployment's steps: the configured ones or the defaults. */
export function linearSteps(deployment: DeploymentConfig): { stepPercent: number; stepBakeMinutes: number } {
  return deployment.linear ?? LINEAR_DEFAULTS;
}
