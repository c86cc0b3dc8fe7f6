/**
 * Environment configuration: the schema, its defaults (this file is the one place they live) and
 * the checks that types alone cannot express. `parseEnvironmentConfig` is the only way a stack
 * gets its config, so every environment is validated before anything is synthesized.
 */
import { z } from "zod";
import { CI_OIDC_ISSUERS } from "../../modules/services/ci-oidc-issuers";
import { MODERN_TLS_POLICY } from "../../modules/platform/tls";
import { checkCapacityAcrossSections, checkSpotFleetScaling } from "../capacity-rules";
import { SPOT_ADVICE_RULE_IDS, SPOT_ADVICE_RULES } from "../../spot-advisor/rules";
import { routingIssues } from "../routing";
import { describeIssues } from "../config-problems";
import { placeholderProblems } from "../placeholders";
import { strictEverywhere } from "../strict-schema";
import {
  isValidCidr,
  isValidHostHeader,
  LOG_RETENTION_DAYS,
  SPOT_WARNING_SECONDS,
} from "../validators";
import { scheduleProblem } from "../../modules/jobs/schedule-expression";
import {
  containerUserSchema,
  flowLogsSchema,
  lambdasSchema,
  logsKmsKeySchema,
  readonlyRootFilesystemSchema,
  stepFunctionsSchema,
  wafSchema,
  writablePathsSchema,
  checkSecurityCrossReferences,
} from "../security-config";

const NAME_CHARSET = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/;
const INSTANCE_TYPE =
  /^(?:[a-z]+\d+[a-z0-9-]*|u-\d+tb\d+)\.(?:nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(?:-\d+xl)?)$/;
const ACCOUNT_ID = /^\d{12}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter\/|secret:).+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A lowercase DNS-safe name with a length limit, used for project, environment, services and jobs. */
const dnsName = (maxLength: number) =>
  z
    .string()
    .max(maxLength, `must be at most ${maxLength} characters`)
    .regex(NAME_CHARSET, "must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen");

const int = (min: number, max: number) => z.number().int("must be an integer").min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);
const percent = () => int(0, 100);
const port = () => int(1, 65535);
const instanceType = () => z.string().regex(INSTANCE_TYPE, "must be an EC2 instance type such as m7g.large");
const logRetentionDays = () =>
  z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values; never-expire is refused)`,
    })
    .meta({ enum: [...LOG_RETENTION_DAYS] });
const cidr = () => z.string().refine(isValidCidr, { message: "must be an IPv4 CIDR block such as 10.0.0.0/16" });
/** An EventBridge schedule; the error says what is wrong with it (field count, unit, the `?` rule) and that it runs in UTC. */
const schedule = () =>
  z.string().superRefine((expression, ctx) => {
    const problem = scheduleProblem(expression);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: scheduleMessage(expression, problem) });
  });
const scheduleMessage = (expression: string, problem: string) => `"${expression}": ${problem} (schedules run in UTC)`;

/**
 * Values spelled the one documented way (kebab-case, like every other enum in the config), with the
 * old spellings still accepted: each use of one is reported once per parse as a deprecation warning.
 * The parsed value is `output(value)`, so constructs get what the AWS API wants.
 */
function kebabEnum<const Values extends readonly [string, ...string[]], Output extends string>(
  field: string,
  values: Values,
  deprecated: Readonly<Record<string, Values[number]>>,
  output: (value: Values[number]) => Output,
) {
  const old = Object.keys(deprecated) as [string, ...string[]];
  const documented = values.map((value) => `"${value}"`).join(", ");
  return z
    .union([z.enum(values), z.enum(old).meta({ deprecated: true })], { error: () => `must be one of ${documented}` })
    .transform((value) => {
      const documented = (deprecated[value] ?? value) as Values[number];
      if (documented !== value) deprecations?.push(`${field}: "${value}" is a deprecated spelling; write "${documented}"`);
      return output(documented);
    });
}
/** Deprecation warnings of the parse under way (parsing is synchronous, so one list at a time). */
let deprecations: string[] | undefined;

const backendSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("local").describe("Local state file: synth and plan work offline; for trying things out, not for teams."),
    path: z.string().min(1).optional().describe("State file path, relative to the stack directory `cdktf.out/stacks/<environment>` where Terraform runs. Default: `../../../terraform.<environment>.tfstate`, i.e. `terraform.<environment>.tfstate` in the project root (beside `cdktf.out`), as a relative path so the stack is the same on every machine."),
  }),
  z.object({
    type: z.literal("cloud").describe("Terraform Cloud / HCP Terraform `cloud` block."),
    organization: z.string().min(1, "must name the Terraform Cloud organization").describe("The Terraform Cloud organization."),
    workspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be 1-90 letters, digits, - or _").optional().describe("Workspace name. Default `<project>-<environment>`: one workspace per environment."),
    hostname: z.string().min(1).default("app.terraform.io").describe("Terraform Cloud / Enterprise host."),
  }),
  z.object({
    type: z.literal("s3").describe("S3 state, encrypted, with S3-native locking."),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name").describe("S3 bucket holding the state (created beforehand, versioned)."),
    key: z.string().min(1).optional().describe("State object key. Default `<project>/<environment>/terraform.tfstate`."),
    region: z.string().regex(REGION, "must be an AWS region such as eu-west-1").optional().describe("The bucket's region. Default: the environment's `region`."),
    useLockfile: z.boolean().default(true).describe("S3-native state locking (`use_lockfile`, Terraform >= 1.10). Set false together with `dynamodbTable` for older Terraform."),
    dynamodbTable: z.string().min(3).optional().describe("Legacy DynamoDB locking table, for Terraform < 1.10."),
  }),
]);

const networkSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("existing").describe("Use a VPC and subnets that exist already."),
    vpcId: z.string().regex(VPC_ID, "must be a VPC id such as vpc-0abc12345def67890").describe("The VPC, e.g. `vpc-0abc12345def67890`."),
    publicSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)").describe("Subnets for the internet-facing load balancer, in at least 2 AZs."),
    instanceSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)").describe("Subnets for the container instances, in at least 2 AZs (private subnets with NAT, or public ones with `assignPublicIp`)."),
    assignPublicIp: z.boolean().default(false).describe("Give instances public IPs: only for subnets without a NAT gateway."),
  }),
  z.object({
    mode: z.literal("create").describe("Create a VPC with one public and one instance subnet per AZ."),
    cidr: cidr().refine((value) => {
      const prefix = Number(value.split("/")[1]);
      return prefix >= 16 && prefix <= 22;
    }, "must have a prefix between /16 and /22 to fit one public and one instance subnet per AZ").describe("IPv4 CIDR of the new VPC, /16 to /22, e.g. `10.20.0.0/16`; must not overlap networks it will be peered with."),
    azCount: int(2, 6).default(2).describe("Availability zones to spread subnets (and instances) over."),
    natGateways: z.enum(["none", "single", "per-az"]).describe("How instances reach the internet (ECR, ECS, CloudWatch): `none` puts instances in the public subnets with public IPs (cheapest; ingress is still only from the load balancer), `single` is one NAT gateway, `per-az` one per AZ (survives the loss of an AZ)."),
    flowLogs: flowLogsSchema(),
  }),
]);

const spotAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type").describe("Instance types of the Spot ASG, most preferred first; several types and families make Spot capacity likelier. All must match `capacity.architecture`."),
    minSize: int(0, 1000).default(0).describe("Fewest instances in the group."),
    maxSize: int(0, 1000).describe("Most instances in the group; ECS managed scaling stays within it."),
    desiredCapacity: int(0, 1000).optional().describe("Instances at creation only (Terraform ignores later changes: managed scaling owns the count). Default: minSize."),
    onDemandBaseCapacity: int(0, 1000).default(0).describe("Instances of this group bought on-demand before any Spot."),
    onDemandPercentageAboveBaseCapacity: percent().default(0).describe("Share of instances above the base bought on-demand (0 = all Spot)."),
    allocationStrategy: z
      .enum(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"])
      .default("price-capacity-optimized").describe("How EC2 picks Spot pools: `price-capacity-optimized` (recommended) balances price and interruption risk."),
    capacityRebalance: z.boolean().default(true).describe("Replace Spot instances at elevated interruption risk before they are interrupted (managed draining moves their tasks)."),
  })
  .superRefine((spot, ctx) => {
    checkSizes(spot, ctx);
    if (spot.onDemandBaseCapacity > spot.maxSize) {
      ctx.addIssue({ code: "custom", path: ["onDemandBaseCapacity"], message: `must be <= maxSize (${spot.maxSize})` });
    }
  });

const onDemandAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type").describe("Instance types of the on-demand ASG, most preferred first. All must match `capacity.architecture`."),
    minSize: int(0, 1000).default(0).describe("Fewest instances in the group."),
    maxSize: int(0, 1000).describe("Most instances in the group."),
    desiredCapacity: int(0, 1000).optional().describe("Instances at creation only (Terraform ignores later changes: the scaler owns the count). Default: minSize."),
  })
  .superRefine(checkSizes);

function checkSizes(
  group: { minSize: number; maxSize: number; desiredCapacity?: number },
  ctx: z.RefinementCtx,
): void {
  if (group.maxSize < group.minSize) {
    ctx.addIssue({ code: "custom", path: ["maxSize"], message: `must be >= minSize (${group.minSize})` });
  }
  if (group.desiredCapacity !== undefined && (group.desiredCapacity < group.minSize || group.desiredCapacity > group.maxSize)) {
    ctx.addIssue({
      code: "custom",
      path: ["desiredCapacity"],
      message: `must be between minSize (${group.minSize}) and maxSize (${group.maxSize})`,
    });
  }
}

const spotFleetSchema = z
  .object({
    instanceTypes: z
      .array(
        z.object({
          type: instanceType().describe("An instance type, e.g. `m7g.large`."),
          weightedCapacity: int(1, 1000).default(1).describe("Capacity units one instance of this type counts for (e.g. its vCPUs)."),
        }),
      )
      .min(1, "must list at least one instance type").describe("Instance types of the Spot Fleet with their weights; all must match `capacity.architecture`."),
    targetCapacity: int(0, 10000).describe("Capacity units (sum of weights) at creation; autoscaling moves it between minCapacity and maxCapacity."),
    minCapacity: int(0, 10000).default(0).describe("Fewest capacity units autoscaling keeps."),
    maxCapacity: int(1, 10000).describe("Most capacity units autoscaling requests."),
    allocationStrategy: kebabEnum(
      "capacity.spotFleet.allocationStrategy",
      ["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "diversified", "lowest-price"],
      {
        priceCapacityOptimized: "price-capacity-optimized",
        capacityOptimized: "capacity-optimized",
        capacityOptimizedPrioritized: "capacity-optimized-prioritized",
        lowestPrice: "lowest-price",
      },
      // The Spot Fleet API spells them in camelCase.
      (value) => value.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase()) as SpotFleetAllocationStrategy,
    ).prefault("price-capacity-optimized").describe("How the fleet picks Spot pools: `price-capacity-optimized` (recommended) balances price and interruption risk."),
    validUntil: z.iso.datetime({ message: "must be an ISO 8601 date-time such as 2027-01-01T00:00:00Z" }).optional().describe("End of the Spot Fleet request (ISO 8601, UTC), e.g. `2027-01-01T00:00:00Z`. Default: no end."),
    capacityRebalance: z
      .boolean()
      .default(false)
      .describe("Replace instances that get a rebalance recommendation; the drainer drains and then terminates the old one (needs `spotDrainer.drainOnRebalance`). Replace-only: changing it replaces the fleet."),
    targetTracking: z
      .unknown()
      .refine((value) => value === undefined, {
        message: "is no longer supported: the fleet scales on reservation in both directions (reservationScaleOutPercent, reservationScaleInPercent)",
      })
      .optional()
      .describe("Removed: CPU target tracking removed capacity that reservations still held. Refused, so old configs fail loudly; scaling follows reservation both ways."),
    reservationScaleOutPercent: percent()
      .default(80)
      .describe("Add capacity when max(CPUReservation, MemoryReservation) of the cluster reaches this. Reservation counts placed tasks only: the headroom below 100 % is what lets the next task be placed."),
    reservationScaleInPercent: percent()
      .default(40)
      .describe("Remove one instance's worth when the same signal stays at or below this for `scaleInEvaluationMinutes`; at most half of `reservationScaleOutPercent`."),
    scaleOutCooldownSeconds: int(0, 3600).default(120).describe("Seconds after a scale-out before the next one."),
    scaleInCooldownSeconds: int(0, 3600).default(600).describe("Seconds after a scale-in before the next one."),
    scaleInEvaluationMinutes: int(1, 60).default(15).describe("Minutes the reservation must stay low before one instance is removed."),
  })
  .superRefine((fleet, ctx) => {
    if (fleet.maxCapacity < fleet.minCapacity) {
      ctx.addIssue({ code: "custom", path: ["maxCapacity"], message: `must be >= minCapacity (${fleet.minCapacity})` });
    }
    if (fleet.targetCapacity < fleet.minCapacity || fleet.targetCapacity > fleet.maxCapacity) {
      ctx.addIssue({
        code: "custom",
        path: ["targetCapacity"],
        message: `must be between minCapacity (${fleet.minCapacity}) and maxCapacity (${fleet.maxCapacity})`,
      });
    }
    checkSpotFleetScaling(fleet, ctx);
  });

/** Deliberate exceptions to the Spot pool advice that synthesis warns about and `npm run report` shows (spot-advisor/). */
const spotAdviceSchema = z
  .object({
    acknowledge: z
      .array(
        z.object({
          rule: z
            .enum(SPOT_ADVICE_RULE_IDS)
            .describe(`The advice rule: ${Object.entries(SPOT_ADVICE_RULES).map(([id, what]) => `\`${id}\` (${what})`).join("; ")}.`),
          type: instanceType()
            .optional()
            .describe("Only this instance type (for high-interruption and unknown-type); default: every warning of the rule."),
          reason: z.string().trim().min(1, "must say why the advice does not apply").describe("Why the risk is accepted; shown in the report."),
        }),
      )
      .default([])
      .describe("Warnings accepted on purpose: they are no longer printed at synth and appear in the report as acknowledged."),
  })
  .prefault({})
  .describe("Spot pool advice from the AWS Spot Instance Advisor snapshot in spot-advisor/data.");

const capacitySchema = z
  .object({
    mode: z.enum(["capacity-providers", "spot-fleet"]).default("capacity-providers").describe("`capacity-providers`: on-demand and Spot ASGs behind ECS capacity providers (managed scaling and draining; production). `spot-fleet`: an on-demand ASG plus a Spot Fleet request (cheapest; no managed draining)."),
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64").describe("CPU architecture of every instance type and of the ECS-optimized AMI; images must be built for it."),
    amiId: z.string().regex(AMI_ID, "must be an AMI id such as ami-0abc12345def67890").optional().describe("Pin an AMI instead of following the ECS-optimized Amazon Linux 2023 SSM parameter."),
    rootVolumeSizeGiB: int(30, 16384).default(30).describe("Encrypted gp3 root volume size of every instance."),
    detailedMonitoring: z.boolean().default(false).describe("One-minute EC2 metrics (charged)."),
    containerStopTimeoutSeconds: int(1, SPOT_WARNING_SECONDS).default(30).describe("ECS_CONTAINER_STOP_TIMEOUT: SIGTERM-to-SIGKILL grace for containers without their own stopTimeoutSeconds; counts against the 120 s Spot warning."),
    healthCheckGracePeriodSeconds: int(0, 7200).default(120).describe("Seconds after launch before the ASGs act on failed instance health checks."),
    onDemand: onDemandAsgSchema.describe("The on-demand Auto Scaling group: the stable base."),
    spot: spotAsgSchema.optional().describe("The Spot Auto Scaling group (mixed instances). Required in capacity-providers mode, refused in spot-fleet mode."),
    managedScaling: z
      .object({
        targetCapacityPercent: int(1, 100).default(90).describe("How full managed scaling keeps the instances: 100 packs them, lower leaves headroom for new tasks."),
        minimumScalingStepSize: int(1, 10000).default(1).describe("Fewest instances added or removed at once."),
        maximumScalingStepSize: int(1, 10000).default(10).describe("Most instances added or removed at once."),
        instanceWarmupPeriodSeconds: int(0, 10000).default(180).describe("Seconds before a new instance counts in the metrics."),
      })
      .prefault({})
      .superRefine((scaling, ctx) => {
        if (scaling.maximumScalingStepSize < scaling.minimumScalingStepSize) {
          ctx.addIssue({
            code: "custom",
            path: ["maximumScalingStepSize"],
            message: `must be >= minimumScalingStepSize (${scaling.minimumScalingStepSize})`,
          });
        }
      }).describe("ECS managed scaling of the capacity providers (capacity-providers mode)."),
    strategy: z
      .object({
        onDemandBase: int(0, 100000).default(1).describe("Tasks of each service placed on on-demand before any weight applies."),
        onDemandWeight: int(0, 1000).default(1).describe("Weight of on-demand for the tasks above the base."),
        spotWeight: int(0, 1000).default(4).describe("Weight of Spot for the tasks above the base (1:4 puts 80 % on Spot)."),
      })
      .prefault({})
      .superRefine((strategy, ctx) => {
        if (strategy.onDemandWeight === 0 && strategy.spotWeight === 0) {
          ctx.addIssue({ code: "custom", path: ["spotWeight"], message: "onDemandWeight and spotWeight cannot both be 0" });
        }
      }).describe("The cluster's default capacity provider strategy: `onDemandBase` tasks on on-demand, the rest split by weight."),
    spotFleet: spotFleetSchema.optional().describe("The Spot Fleet request. Required in spot-fleet mode, refused in capacity-providers mode."),
    spotAdvice: spotAdviceSchema,
    instanceRefresh: z
      .object({
        minHealthyPercentage: percent().default(90).describe("Share of instances kept in service during a refresh."),
        checkpointPercentages: z.array(int(1, 100)).default([]).describe("Pause points (percent of instances replaced), ascending, ending at 100; empty = no pauses."),
        checkpointDelaySeconds: int(0, 172800).default(600).describe("Seconds to wait at each checkpoint."),
      })
      .prefault({})
      .superRefine((refresh, ctx) => {
        refresh.checkpointPercentages.forEach((percentage, index) => {
          if (index > 0 && percentage <= refresh.checkpointPercentages[index - 1]) {
            ctx.addIssue({ code: "custom", path: ["checkpointPercentages", index], message: "must be in strictly ascending order" });
          }
        });
        // AWS ends the refresh at the last checkpoint: short of 100 it leaves the rest on the old template, reported as successful.
        const last = refresh.checkpointPercentages.at(-1);
        if (last !== undefined && last !== 100) {
          ctx.addIssue({
            code: "custom",
            path: ["checkpointPercentages", refresh.checkpointPercentages.length - 1],
            message: "must end with 100, or the instance refresh stops there and leaves the remaining instances on the old launch template",
          });
        }
      }).describe("Rolling instance refresh of the ASGs when their launch template changes (new AMI, settings)."),
  })
  .superRefine((capacity, ctx) => {
    if (capacity.mode === "capacity-providers" && !capacity.spot) {
      ctx.addIssue({ code: "custom", path: ["spot"], message: "is required when mode is capacity-providers" });
    }
    if (capacity.mode === "spot-fleet" && !capacity.spotFleet) {
      ctx.addIssue({ code: "custom", path: ["spotFleet"], message: "is required when mode is spot-fleet" });
    }
    // A section the mode ignores is a mistake, not a setting: say so instead of silently dropping it.
    if (capacity.mode === "spot-fleet" && capacity.spot) {
      ctx.addIssue({ code: "custom", path: ["spot"], message: "is only used when mode is capacity-providers" });
    }
    if (capacity.mode === "capacity-providers" && capacity.spotFleet) {
      ctx.addIssue({ code: "custom", path: ["spotFleet"], message: "is only used when mode is spot-fleet" });
    }
    if (capacity.mode === "capacity-providers") {
      // Tasks the strategy sends to a provider whose ASG cannot grow stay PROVISIONING forever.
      if (capacity.onDemand.maxSize === 0 && (capacity.strategy.onDemandBase > 0 || capacity.strategy.onDemandWeight > 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["strategy", capacity.strategy.onDemandBase > 0 ? "onDemandBase" : "onDemandWeight"],
          message: "sends tasks to on-demand, but onDemand.maxSize is 0",
        });
      }
      if (capacity.spot && capacity.spot.maxSize === 0 && capacity.strategy.spotWeight > 0) {
        ctx.addIssue({ code: "custom", path: ["strategy", "spotWeight"], message: "sends tasks to Spot, but spot.maxSize is 0" });
      }
    }
    const pools: Array<[string, string[]]> = [
      ["onDemand.instanceTypes", capacity.onDemand.instanceTypes],
      ["spot.instanceTypes", capacity.spot?.instanceTypes ?? []],
      ["spotFleet.instanceTypes", capacity.spotFleet?.instanceTypes.map((entry) => entry.type) ?? []],
    ];
    for (const [field, types] of pools) {
      types.forEach((type, index) => {
        if (instanceArchitecture(type) !== capacity.architecture) {
          const path = field === "spotFleet.instanceTypes" ? ["spotFleet", "instanceTypes", index, "type"] : [...field.split("."), index];
          ctx.addIssue({
            code: "custom",
            path,
            message: `${type} is ${instanceArchitecture(type)}, but architecture is ${capacity.architecture}: use ${capacity.architecture} types such as ${similarInstanceTypes(type, capacity.architecture).join(" or ")}, or change capacity.architecture`,
          });
        }
      });
    }
  });

/** The Spot Fleet API's spelling of an allocation strategy. */
type SpotFleetAllocationStrategy = "priceCapacityOptimized" | "capacityOptimized" | "capacityOptimizedPrioritized" | "diversified" | "lowestPrice";

/** Types of the same class and size for the other architecture (m7g.large -> m7i.large, m6i.large), as fix suggestions. */
export function similarInstanceTypes(instanceType: string, architecture: "arm64" | "x86_64"): string[] {
  const [family, size] = instanceType.split(".");
  const instanceClass = /^[a-z]+?(?=\d)/.exec(family)?.[0] ?? "m";
  if (instanceClass === "t") return architecture === "arm64" ? [`t4g.${size}`] : [`t3.${size}`, `t3a.${size}`];
  return architecture === "arm64" ? [`${instanceClass}7g.${size}`, `${instanceClass}6g.${size}`] : [`${instanceClass}7i.${size}`, `${instanceClass}6i.${size}`];
}

/** Graviton families carry a `g` after the generation digit (m7g, c6gn, t4g, is4gen); a1 is the first. */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  const family = instanceType.split(".")[0];
  const match = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
  if (family === "a1" || (match && match[3].includes("g"))) return "arm64";
  return "x86_64";
}

const autoscalingSchema = z
  .object({
    minCount: int(0, 10000).describe("Fewest tasks autoscaling keeps."),
    maxCount: int(1, 10000).describe("Most tasks autoscaling runs."),
    cpuTargetPercent: int(1, 100).optional().describe("Target tracking on average CPU utilization."),
    memoryTargetPercent: int(1, 100).optional().describe("Target tracking on average memory utilization."),
    requestsPerTarget: int(1, 1000000).optional().describe("Target tracking on ALBRequestCountPerTarget (requests per task per minute)."),
    scaleInCooldownSeconds: int(0, 3600).default(300).describe("Seconds after a scale-in before the next one."),
    scaleOutCooldownSeconds: int(0, 3600).default(60).describe("Seconds after a scale-out before the next one."),
    disableScaleIn: z.boolean().default(false).describe("Only ever add tasks (target tracking never removes them)."),
    stepScaling: z
      .object({
        metric: z.enum(["CPUUtilization", "MemoryUtilization"]).default("CPUUtilization").describe("The ECS service metric the alarm watches."),
        thresholdPercent: int(1, 100).describe("Alarm threshold: steps start here."),
        evaluationPeriods: int(1, 100).default(2).describe("Consecutive breaching minutes before the alarm fires."),
        scaleOutAdjustments: z.tuple([int(1, 1000), int(1, 1000)]).default([1, 3]).describe("Tasks to add per step: [at the threshold, at threshold + 20]."),
        cooldownSeconds: int(0, 3600).default(60).describe("Seconds after a step before the next one."),
      })
      .optional().describe("Step scaling on a CloudWatch alarm, for bursts target tracking reacts to too slowly."),
  })
  .superRefine((scaling, ctx) => {
    if (scaling.maxCount < scaling.minCount) {
      ctx.addIssue({ code: "custom", path: ["maxCount"], message: `must be >= minCount (${scaling.minCount})` });
    }
    if (
      scaling.cpuTargetPercent === undefined &&
      scaling.memoryTargetPercent === undefined &&
      scaling.requestsPerTarget === undefined &&
      scaling.stepScaling === undefined
    ) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "needs at least one of cpuTargetPercent, memoryTargetPercent, requestsPerTarget or stepScaling",
      });
    }
  });

/**
 * The application's own AWS permissions (its ECS task role). Least privilege first: statements scoped by
 * resource and condition; managed policies where a vendor documents one.
 */
const taskRoleSchema = z.object({
  statements: z
    .array(
      z.object({
        sid: z.string().regex(/^[A-Za-z0-9]+$/, "must be alphanumeric").optional().describe("Statement id, e.g. `PublishMetrics`."),
        effect: z.enum(["Allow", "Deny"]).default("Allow").describe("Allow or Deny."),
        actions: z
          .array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, "must be an IAM action such as cloudwatch:PutMetricData"))
          .min(1)
          .describe("IAM actions, e.g. `cloudwatch:PutMetricData`."),
        resources: z
          .array(z.string().regex(/^(\*|arn:aws[a-z-]*:.+)$/, "must be * or an ARN"))
          .min(1)
          .describe("Resource ARNs, or `*` where the action has no resource-level permissions."),
        conditions: z
          .array(
            z.object({
              test: z.string().min(1).describe("Condition operator, e.g. `StringEquals`."),
              variable: z.string().min(1).describe("Condition key, e.g. `cloudwatch:namespace`."),
              values: z.array(z.string()).min(1).describe("Values the key is compared with."),
            }),
          )
          .default([])
          .describe("Conditions that narrow the statement (the least-privilege way to allow actions on `*`)."),
      }),
    )
    .default([])
    .describe("Inline policy statements of the task role."),
  managedPolicyArns: z
    .array(z.string().regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/, "must be an IAM policy ARN such as arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"))
    .default([])
    .describe("Managed policies (AWS or customer managed) attached to the task role."),
});

const serviceSchema = z
  .object({
    name: dnsName(20).describe("Service name, unique in the environment: names the ECS service, task family, log group, roles and target group."),
    kind: z.enum(["web", "daemon"]).default("web").describe("`web`: behind the load balancer, autoscaled. `daemon`: one task per instance (log or metrics agents), no load balancer."),
    image: z.string().min(1, "must name a container image").describe("Container image at creation. Later image changes ship with releases (see README, Releases own the running revision)."),
    cpu: int(0, 196608).default(256).describe("CPU units reserved for the container (1024 = one vCPU)."),
    memory: int(6, 1048576).describe("Hard memory limit (MiB): the container is killed above it."),
    memoryReservation: int(6, 1048576).describe("Soft memory limit (MiB) used for placement; at most `memory`."),
    containerPort: port().optional().describe("Port the container listens on; required for web services (bridge networking maps a dynamic host port)."),
    hostHeaders: z
      .array(z.string().refine(isValidHostHeader, { message: "must be a host name such as api.example.com (* wildcards allowed)" }))
      .max(3, "must list at most 3 hosts (ALB limit of values per rule condition)")
      .default([]).describe("Host names routed to the service (ALB host-header condition, `*` wildcards allowed). A web service needs hostHeaders or pathPatterns; at most 5 of both together (ALB rule limit)."),
    pathPatterns: z
      .array(z.string().regex(/^\/[\x21-\x7e]*$/, "must start with / and contain no spaces"))
      .max(3, "must list at most 3 paths (ALB limit of values per rule condition)")
      .default([]).describe("URL paths routed to the service (ALB path-pattern condition), e.g. `/api/*`."),
    listenerPriority: int(1, 50000)
      .optional()
      .describe("Listener rule priority (1-50000, unique; lower is evaluated first). Default: derived from the route's specificity band and a hash of the name, stable when other services come and go."),
    healthCheck: z
      .object({
        path: z.string().regex(/^\/[\x21-\x7e]*$/, "must start with / and contain no spaces").default("/health").describe("Path the load balancer requests; it must answer with `matcher` codes."),
        matcher: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, "must be HTTP codes such as 200 or 200-399").default("200-399").describe("HTTP codes that count as healthy, e.g. `200` or `200-399`."),
        intervalSeconds: int(5, 300).default(10).describe("Seconds between checks."),
        timeoutSeconds: int(2, 120).default(5).describe("Seconds to wait for an answer; less than intervalSeconds."),
        healthyThreshold: int(2, 10).default(2).describe("Consecutive successes before a target is healthy."),
        unhealthyThreshold: int(2, 10).default(3).describe("Consecutive failures before a target is unhealthy."),
      })
      .prefault({})
      .superRefine((check, ctx) => {
        if (check.timeoutSeconds >= check.intervalSeconds) {
          ctx.addIssue({ code: "custom", path: ["timeoutSeconds"], message: `must be < intervalSeconds (${check.intervalSeconds})` });
        }
      }).describe("The load balancer's health check of the service's targets."),
    containerHealthCheck: z
      .object({
        command: z.array(z.string().min(1)).min(2, "must be like [\"CMD-SHELL\", \"...\"]").describe("e.g. `[\"CMD-SHELL\", \"curl -f http://localhost:8080/health || exit 1\"]`."),
        intervalSeconds: int(5, 300).default(30).describe("Seconds between checks."),
        timeoutSeconds: int(2, 60).default(5).describe("Seconds a check may take."),
        retries: int(1, 10).default(3).describe("Consecutive failures before the container is unhealthy."),
        startPeriodSeconds: int(0, 300).default(30).describe("Grace after start during which failures do not count."),
      })
      .optional().describe("Container health check (Docker HEALTHCHECK) run by the ECS agent; an unhealthy container is replaced."),
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}).describe("Environment variables at creation (name → value). Later changes ship with releases."),
    secrets: z
      .record(
        z.string().regex(ENV_VAR_NAME, "must be an environment variable name"),
        z.string().regex(SECRET_ARN, "must be an SSM parameter or Secrets Manager secret ARN"),
      )
      .default({}).describe("Environment variables from SSM parameters or Secrets Manager (name → ARN); the execution role may read exactly these. Later changes ship with releases."),
    taskRole: taskRoleSchema.optional().describe("What the application may do with AWS (its task role): least-privilege statements and/or managed policy ARNs; none by default."),
    repositoryCredentialsSecretArn: z.string().regex(SECRET_ARN, "must be a Secrets Manager secret ARN").optional().describe("Secrets Manager secret with private registry credentials (never in user data)."),
    stopTimeoutSeconds: int(2, SPOT_WARNING_SECONDS).default(30).describe("SIGTERM-to-SIGKILL grace; with deregistrationDelaySeconds it must fit the 120 s Spot warning."),
    deregistrationDelaySeconds: int(0, 3600).default(30).describe("Seconds the load balancer lets in-flight requests finish on a deregistered target."),
    slowStartSeconds: z
      .number()
      .int()
      .refine((value) => value === 0 || (value >= 30 && value <= 900), "must be 0 (off) or between 30 and 900")
      .default(0).describe("Seconds a new target gets a growing share of requests; 0 = off, else 30-900."),
    desiredCount: int(0, 10000).default(2).describe("Tasks at creation; then autoscaling (or releases) own the count."),
    minHealthyPercent: percent().default(50).describe("Share of desired tasks kept running during a deployment or drain."),
    maxPercent: int(100, 400).default(200).describe("Most tasks (share of desired) running during a deployment or drain."),
    healthCheckGracePeriodSeconds: int(0, 2147483647).default(60).describe("Seconds after a task starts before failed load balancer health checks count."),
    capacityPool: z.enum(["default", "on-demand", "spot"]).default("default").describe("`default`: the environment's strategy; `on-demand` / `spot`: pin to one pool (capacity-providers mode only)."),
    autoscaling: autoscalingSchema.optional().describe("Application Auto Scaling of the task count (web services)."),
    logRetentionDays: logRetentionDays().optional().describe("Days the service's logs are kept. Default: the environment's `logs.retentionDays`."),
    target5xxAlarmPerMinute: int(1, 1000000).default(10).describe("Web services: alarm when the targets answer more than this many 5xx a minute, 3 minutes running."),
    readonlyRootFilesystem: readonlyRootFilesystemSchema(),
    writablePaths: writablePathsSchema(),
    user: containerUserSchema(),
  })
  .superRefine((service, ctx) => {
    if (service.memoryReservation > service.memory) {
      ctx.addIssue({ code: "custom", path: ["memoryReservation"], message: `must be <= memory (${service.memory})` });
    }
    if (service.kind === "web") {
      if (service.containerPort === undefined) {
        ctx.addIssue({ code: "custom", path: ["containerPort"], message: "is required for a web service" });
      }
      if (service.hostHeaders.length === 0 && service.pathPatterns.length === 0) {
        ctx.addIssue({ code: "custom", path: ["hostHeaders"], message: "a web service needs at least one host header or path pattern" });
      }
      if (service.hostHeaders.length + service.pathPatterns.length > 5) {
        ctx.addIssue({ code: "custom", path: ["hostHeaders"], message: "hostHeaders + pathPatterns must be at most 5 (ALB rule condition limit)" });
      }
      if (service.minHealthyPercent >= 100 && service.maxPercent <= 100) {
        ctx.addIssue({
          code: "custom",
          path: ["maxPercent"],
          message: "must be > 100 when minHealthyPercent is 100, or draining a Spot instance can never move tasks",
        });
      }
      if (service.autoscaling && (service.desiredCount < service.autoscaling.minCount || service.desiredCount > service.autoscaling.maxCount)) {
        ctx.addIssue({
          code: "custom",
          path: ["desiredCount"],
          message: `must be between autoscaling.minCount (${service.autoscaling.minCount}) and autoscaling.maxCount (${service.autoscaling.maxCount})`,
        });
      }
    } else {
      if (service.autoscaling) {
        ctx.addIssue({ code: "custom", path: ["autoscaling"], message: "a daemon service runs one task per instance and cannot autoscale" });
      }
      if (service.hostHeaders.length > 0 || service.pathPatterns.length > 0) {
        ctx.addIssue({ code: "custom", path: ["hostHeaders"], message: "a daemon service is not behind the load balancer" });
      }
      if (service.listenerPriority !== undefined) {
        ctx.addIssue({ code: "custom", path: ["listenerPriority"], message: "a daemon service has no listener rule" });
      }
      if (service.capacityPool !== "default") {
        ctx.addIssue({
          code: "custom",
          path: ["capacityPool"],
          message: "a daemon service runs on every instance with the EC2 launch type; capacity pools do not apply",
        });
      }
    }
  });

const scheduledTaskSchema = z
  .object({
    name: dnsName(32).describe("Job name, unique in the environment."),
    /** Checked below rather than with schedule() so that the error names the job. */
    schedule: z.string().describe("EventBridge schedule, in UTC: `cron(minutes hours day-of-month month day-of-week year)` with exactly one of the day fields `?`, or `rate(N minute|minutes|hour|hours|day|days)`."),
    service: z.string().optional().describe("Run this web service's task definition (with the overrides below). Exactly one of service / image."),
    image: z.string().min(1).optional().describe("Or run this image in a task definition of its own."),
    command: z.array(z.string()).default([]).describe("Container command override for the run."),
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}).describe("Environment variable overrides for the run."),
    /** For jobs with their own image. */
    cpu: int(0, 196608).default(256).describe("CPU units of a job with its own image."),
    memory: int(6, 1048576).default(512).describe("Memory (MiB) of a job with its own image."),
    taskCount: int(1, 10).default(1).describe("Tasks started per run."),
    enabled: z.boolean().default(true).describe("false pauses the job (the rule stays, disabled)."),
    retries: int(0, 10).default(0).describe("More than 0: run through Step Functions and retry when the task fails (e.g. a Spot interruption); such jobs may run more than once and must be idempotent."),
    capacityPool: z.enum(["default", "on-demand", "spot"]).default("default").describe("`default`: the environment's strategy; `on-demand` / `spot`: pin to one pool (capacity-providers mode only)."),
    readonlyRootFilesystem: readonlyRootFilesystemSchema(),
    writablePaths: writablePathsSchema(),
    user: containerUserSchema(),
  })
  .superRefine((job, ctx) => {
    const problem = scheduleProblem(job.schedule);
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", path: ["schedule"], message: `job "${job.name}": ${scheduleMessage(job.schedule, problem)}` });
    }
    if (job.retries > 0 && job.taskCount > 1) {
      // Step Functions' runTask.sync waits for one task; retrying a group of tasks as one unit is not what it does.
      ctx.addIssue({
        code: "custom",
        path: ["taskCount"],
        message: `job "${job.name}": must be 1 when retries > 0 (a retried job runs one task per execution; declare several jobs instead)`,
      });
    }
    if ((job.service === undefined) === (job.image === undefined)) {
      ctx.addIssue({ code: "custom", path: ["service"], message: "set exactly one of service or image" });
    }
  });

const loadBalancerSchema = z
  .object({
    idleTimeoutSeconds: int(1, 4000).default(60).describe("Seconds an idle connection stays open."),
    ingressCidrs: z.array(cidr()).min(1, "must allow at least one CIDR").default(["0.0.0.0/0"]).describe("Who may reach ports 80/443."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the load balancer (turn off before destroying an environment)."),
    certificateArn: z.string().regex(ARN, "must be an ACM certificate ARN").optional().describe("An existing ACM certificate for HTTPS. Set this or domain; neither = HTTP only."),
    domain: z
      .object({
        name: z.string().refine(isValidHostHeader, { message: "must be a domain name such as api.example.com" }).describe("The certificate's domain, e.g. `api.example.com`."),
        subjectAlternativeNames: z.array(z.string().refine(isValidHostHeader, { message: "must be a domain name" })).default([]).describe("More names on the certificate."),
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id").optional().describe("Route 53 zone to write the validation records to; without it they are printed as the `certificate_validation_records` output."),
      })
      .optional().describe("Request an ACM certificate for this domain (DNS validation). Set this or certificateArn; neither = HTTP only."),
    sslPolicy: z
      .string()
      .regex(MODERN_TLS_POLICY, "must be a TLS 1.3/1.2 policy such as ELBSecurityPolicy-TLS13-1-2-2021-06")
      .default("ELBSecurityPolicy-TLS13-1-2-2021-06").describe("HTTPS listener security policy: TLS 1.3 and 1.2 only."),
    accessLogs: z.object({ expirationDays: int(1, 3650).default(90).describe("Days access logs are kept.") }).prefault({}).describe("Load balancer access logs, in a bucket of their own."),
    waf: wafSchema(),
  })
  .superRefine((lb, ctx) => {
    if (lb.certificateArn && lb.domain) {
      ctx.addIssue({ code: "custom", path: ["certificateArn"], message: "set either certificateArn or domain, not both" });
    }
  });

const ciDeploySchema = z.object({
  provider: z.enum(["github", "gitlab"]).describe("The CI whose OIDC tokens may assume the deploy role."),
  subjects: z.array(z.string().min(3)).min(1, "must list at least one OIDC subject").describe("OIDC subjects that may assume the role: GitHub `repo:<org>/<repo>:environment:production`, GitLab `project_path:<group>/<project>:ref_type:branch:ref:main`."),
  oidcProviderArn: z.string().regex(ARN, "must be an IAM OIDC provider ARN").optional().describe("Use this IAM OIDC provider ARN instead of looking up the account's provider for the issuer URL."),
  createOidcProvider: z
    .boolean()
    .default(false)
    .describe("Create the account's OIDC provider for the issuer in this stack. There is one per account and URL: only where nothing else federates with the issuer yet, in one environment per account. Default: looked up by its URL."),
  ecrRepositories: z.array(z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "must be an ECR repository name")).default([]).describe("ECR repositories (names) in this account the deploy may push to."),
}).superRefine((ciDeploy, ctx) => {
  if (ciDeploy.createOidcProvider && ciDeploy.oidcProviderArn !== undefined) {
    ctx.addIssue({ code: "custom", path: ["createOidcProvider"], message: "set either createOidcProvider or oidcProviderArn, not both" });
  }
  const host = CI_OIDC_ISSUERS[ciDeploy.provider].host;
  if (ciDeploy.oidcProviderArn !== undefined && !ciDeploy.oidcProviderArn.endsWith(`:oidc-provider/${host}`)) {
    ctx.addIssue({ code: "custom", path: ["oidcProviderArn"], message: `must be the IAM OIDC provider of ${host} (…:oidc-provider/${host}) for provider ${ciDeploy.provider}` });
  }
});

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
    logs: z.object({ retentionDays: logRetentionDays().default(30).describe("Days CloudWatch keeps the logs of services, jobs and functions."), kmsKey: logsKmsKeySchema() }).prefault({}).describe("Log retention of the environment."),
    services: z.array(serviceSchema).default([]).describe("The ECS services."),
    scheduledTasks: z.array(scheduledTaskSchema).default([]).describe("Jobs run as ECS tasks on a schedule."),
    spotDrainer: z
      .object({
        enabled: z.boolean().default(true).describe("Deploy the drainer."),
        deadlineMarginSeconds: int(0, 60).default(10).describe("Seconds kept free before the 2-minute cliff: work not done by then is lost."),
        drainOnRebalance: z.boolean().default(false).describe("Spot Fleet only, with `capacity.spotFleet.capacityRebalance`: drain on rebalance recommendations, then terminate the instance the fleet replaced (ASGs with capacity rebalance never do)."),
        reservedConcurrency: int(1, 1000).default(10).describe("Lambda executions reserved for Spot storms (accounts on the new-account quota may need to lower it)."),
        lifecycleHeartbeatSeconds: int(60, 840).default(600).describe("Spot-fleet mode: how long a termination of the on-demand ASG waits for the drain. At most 840 so it fits Lambda's 900 s."),
      })
      .prefault({}).describe("The Spot interruption drainer Lambda (deregisters and stops tasks before the instance goes)."),
    amiWatch: z
      .object({
        enabled: z.boolean().default(true).describe("Deploy the AMI watch."),
        schedule: schedule().default("rate(1 day)").describe("When to check, EventBridge schedule in UTC."),
        emails: z.array(z.email({ message: "must be an e-mail address" })).default([]).describe("Addresses told about new AMIs; each must confirm its SNS subscription once."),
        autoRefresh: z.boolean().default(false).describe("Start an ASG instance refresh when the AMI moves, instead of waiting for a deploy; launch templates then resolve the AMI at every launch. Not with a pinned AMI; in spot-fleet mode only with the drainer."),
      })
      .prefault({}).describe("The AMI watch Lambda: reports (and optionally rolls out) newer ECS-optimized AMIs."),
    alerts: z
      .object({
        emails: z.array(z.email({ message: "must be an e-mail address" })).default([]).describe("Subscribed to a topic created for the alarms; each address must confirm its subscription once (AWS sends a confirmation e-mail)."),
        topicArn: z.string().regex(SNS_TOPIC_ARN, "must be an SNS topic ARN").optional().describe("Or an existing SNS topic (chat, paging); its policy must let CloudWatch publish."),
      })
      .prefault({})
      .superRefine((alerts, ctx) => {
        if (alerts.topicArn !== undefined && alerts.emails.length > 0) {
          ctx.addIssue({ code: "custom", path: ["emails"], message: "set either emails (a topic is created) or topicArn, not both" });
        }
      }).describe("Where the environment's alarms notify (unhealthy targets, 5xx, drainer failures, job dead letters, failed retried jobs)."),
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
  for (const issue of routingIssues(config)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  checkSecurityCrossReferences(config, ctx);
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
export function validateEnvironment(input: unknown): ValidatedEnvironment {
  const warnings: string[] = [];
  deprecations = warnings;
  let result: ReturnType<typeof strictEnvironmentSchema.safeParse>;
  try {
    result = strictEnvironmentSchema.safeParse(input);
  } finally {
    deprecations = undefined;
  }
  const placeholders = placeholderProblems(input);
  if (result.success && placeholders.length === 0) return { config: result.data, warnings: [...new Set(warnings)] };
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
