/**
 * Environment configuration: the schema, its defaults (this file is the one place they live) and
 * the checks that types alone cannot express. `parseEnvironmentConfig` is the only way a stack
 * gets its config, so every environment is validated before anything is synthesized.
 */
import { z } from "zod";
import { MODERN_TLS_POLICY } from "../modules/tls";
import {
  isValidCidr,
  isValidHostHeader,
  isValidScheduleExpression,
  LOG_RETENTION_DAYS,
  SPOT_WARNING_SECONDS,
} from "./validators";

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
    });
const cidr = () => z.string().refine(isValidCidr, { message: "must be an IPv4 CIDR block such as 10.0.0.0/16" });
const SCHEDULE_SYNTAX =
  "must be an EventBridge schedule: cron(min hour day-of-month month day-of-week year) with exactly one of day-of-month/day-of-week set to ?, or rate(N minute|minutes|hour|hours|day|days)";
const schedule = () => z.string().refine(isValidScheduleExpression, { message: SCHEDULE_SYNTAX });

const backendSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("local"),
    /** State file path; default `terraform.<stack>.tfstate` in the stack's output directory. */
    path: z.string().min(1).optional(),
  }),
  z.object({
    type: z.literal("cloud"),
    organization: z.string().min(1, "must name the Terraform Cloud organization"),
    /** Default `<project>-<environment>`: one workspace per environment. */
    workspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be 1-90 letters, digits, - or _").optional(),
    hostname: z.string().min(1).default("app.terraform.io"),
  }),
  z.object({
    type: z.literal("s3"),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
    /** Default `<project>/<environment>/terraform.tfstate`. */
    key: z.string().min(1).optional(),
    /** Default: the environment's region. */
    region: z.string().regex(REGION, "must be an AWS region such as eu-west-1").optional(),
    /** S3-native state locking (Terraform >= 1.10). Default true. */
    useLockfile: z.boolean().default(true),
    /** Legacy DynamoDB locking table, for Terraform < 1.10. */
    dynamodbTable: z.string().min(3).optional(),
  }),
]);

const networkSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("existing"),
    vpcId: z.string().regex(VPC_ID, "must be a VPC id such as vpc-0abc12345def67890"),
    /** Subnets for the load balancer (internet-facing), in >= 2 AZs. */
    publicSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)"),
    /** Subnets for the container instances, in >= 2 AZs. */
    instanceSubnetIds: z.array(z.string().regex(SUBNET_ID, "must be a subnet id")).min(2, "needs at least 2 subnets (one per AZ)"),
    /** Give instances public IPs (only for subnets without NAT). Default false. */
    assignPublicIp: z.boolean().default(false),
  }),
  z.object({
    mode: z.literal("create"),
    cidr: cidr().refine((value) => {
      const prefix = Number(value.split("/")[1]);
      return prefix >= 16 && prefix <= 22;
    }, "must have a prefix between /16 and /22 to fit one public and one instance subnet per AZ"),
    azCount: int(2, 6).default(2),
    /**
     * How instances reach the internet (ECR, ECS, CloudWatch). `none` puts instances in the public
     * subnets with public IPs (cheapest; ingress is still only from the load balancer);
     * `single` is one NAT gateway; `per-az` survives the loss of an AZ.
     */
    natGateways: z.enum(["none", "single", "per-az"]),
  }),
]);

const spotAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type"),
    minSize: int(0, 1000).default(0),
    maxSize: int(0, 1000),
    desiredCapacity: int(0, 1000).optional(),
    onDemandBaseCapacity: int(0, 1000).default(0),
    onDemandPercentageAboveBaseCapacity: percent().default(0),
    allocationStrategy: z
      .enum(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"])
      .default("price-capacity-optimized"),
    capacityRebalance: z.boolean().default(true),
  })
  .superRefine((spot, ctx) => {
    checkSizes(spot, ctx);
    if (spot.onDemandBaseCapacity > spot.maxSize) {
      ctx.addIssue({ code: "custom", path: ["onDemandBaseCapacity"], message: `must be <= maxSize (${spot.maxSize})` });
    }
  });

const onDemandAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type"),
    minSize: int(0, 1000).default(0),
    maxSize: int(0, 1000),
    desiredCapacity: int(0, 1000).optional(),
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
      .array(z.object({ type: instanceType(), weightedCapacity: int(1, 1000).default(1) }))
      .min(1, "must list at least one instance type"),
    targetCapacity: int(0, 10000),
    minCapacity: int(0, 10000).default(0),
    maxCapacity: int(1, 10000),
    allocationStrategy: z
      .enum(["priceCapacityOptimized", "capacityOptimized", "capacityOptimizedPrioritized", "diversified", "lowestPrice"])
      .default("priceCapacityOptimized"),
    /** ISO 8601 end of the request; default: no end. */
    validUntil: z.iso.datetime({ message: "must be an ISO 8601 date-time such as 2027-01-01T00:00:00Z" }).optional(),
    targetTracking: z
      .object({
        metric: z
          .enum(["EC2SpotFleetRequestAverageCPUUtilization", "EC2SpotFleetRequestAverageNetworkIn", "EC2SpotFleetRequestAverageNetworkOut"])
          .default("EC2SpotFleetRequestAverageCPUUtilization"),
        targetValue: z.number().positive("must be > 0").default(60),
        scaleInCooldownSeconds: int(0, 3600).default(300),
        scaleOutCooldownSeconds: int(0, 3600).default(60),
      })
      .prefault({}),
    /** Scale out when the cluster's CPU or memory reservation passes this: tasks that cannot be placed show there first. */
    reservationScaleOutPercent: percent().default(80),
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
  });

const capacitySchema = z
  .object({
    /** `capacity-providers`: on-demand + Spot ASGs behind ECS capacity providers. `spot-fleet`: on-demand ASG + a Spot Fleet request. */
    mode: z.enum(["capacity-providers", "spot-fleet"]).default("capacity-providers"),
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
    /** Pin an AMI instead of following the ECS-optimized AL2023 SSM parameter. */
    amiId: z.string().regex(AMI_ID, "must be an AMI id such as ami-0abc12345def67890").optional(),
    rootVolumeSizeGiB: int(30, 16384).default(30),
    detailedMonitoring: z.boolean().default(false),
    /** ECS_CONTAINER_STOP_TIMEOUT: SIGTERM-to-SIGKILL grace for containers without their own stopTimeout. */
    containerStopTimeoutSeconds: int(1, SPOT_WARNING_SECONDS).default(30),
    healthCheckGracePeriodSeconds: int(0, 7200).default(120),
    onDemand: onDemandAsgSchema,
    spot: spotAsgSchema.optional(),
    managedScaling: z
      .object({
        targetCapacityPercent: int(1, 100).default(90),
        minimumScalingStepSize: int(1, 10000).default(1),
        maximumScalingStepSize: int(1, 10000).default(10),
        instanceWarmupPeriodSeconds: int(0, 10000).default(180),
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
      }),
    /** Cluster default capacity provider strategy: `onDemandBase` tasks on on-demand, the rest split by weight. */
    strategy: z
      .object({
        onDemandBase: int(0, 100000).default(1),
        onDemandWeight: int(0, 1000).default(1),
        spotWeight: int(0, 1000).default(4),
      })
      .prefault({})
      .superRefine((strategy, ctx) => {
        if (strategy.onDemandWeight === 0 && strategy.spotWeight === 0) {
          ctx.addIssue({ code: "custom", path: ["spotWeight"], message: "onDemandWeight and spotWeight cannot both be 0" });
        }
      }),
    spotFleet: spotFleetSchema.optional(),
    instanceRefresh: z
      .object({
        minHealthyPercentage: percent().default(90),
        /** Pause points (percent of instances replaced), ascending, ending at 100; empty = no checkpoints. */
        checkpointPercentages: z.array(int(1, 100)).default([]),
        checkpointDelaySeconds: int(0, 172800).default(600),
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
      }),
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
          ctx.addIssue({
            code: "custom",
            path: [...field.split("."), index],
            message: `${type} is ${instanceArchitecture(type)}, but architecture is ${capacity.architecture}`,
          });
        }
      });
    }
  });

/** Graviton families carry a `g` after the generation digit (m7g, c6gn, t4g, is4gen); a1 is the first. */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  const family = instanceType.split(".")[0];
  const match = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
  if (family === "a1" || (match && match[3].includes("g"))) return "arm64";
  return "x86_64";
}

const autoscalingSchema = z
  .object({
    minCount: int(0, 10000),
    maxCount: int(1, 10000),
    cpuTargetPercent: int(1, 100).optional(),
    memoryTargetPercent: int(1, 100).optional(),
    /** Target for ALBRequestCountPerTarget (requests per target per minute). */
    requestsPerTarget: int(1, 1000000).optional(),
    scaleInCooldownSeconds: int(0, 3600).default(300),
    scaleOutCooldownSeconds: int(0, 3600).default(60),
    disableScaleIn: z.boolean().default(false),
    /** Step scaling on a CloudWatch alarm, for bursts target tracking reacts to too slowly. */
    stepScaling: z
      .object({
        metric: z.enum(["CPUUtilization", "MemoryUtilization"]).default("CPUUtilization"),
        thresholdPercent: int(1, 100),
        evaluationPeriods: int(1, 100).default(2),
        /** Tasks to add per step: [at threshold, at threshold+20]. */
        scaleOutAdjustments: z.tuple([int(1, 1000), int(1, 1000)]).default([1, 3]),
        cooldownSeconds: int(0, 3600).default(60),
      })
      .optional(),
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
        sid: z.string().regex(/^[A-Za-z0-9]+$/, "must be alphanumeric").optional(),
        effect: z.enum(["Allow", "Deny"]).default("Allow"),
        actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, "must be an IAM action such as cloudwatch:PutMetricData")).min(1),
        resources: z.array(z.string().regex(/^(\*|arn:aws[a-z-]*:.+)$/, "must be * or an ARN")).min(1),
        conditions: z
          .array(z.object({ test: z.string().min(1), variable: z.string().min(1), values: z.array(z.string()).min(1) }))
          .default([]),
      }),
    )
    .default([]),
  managedPolicyArns: z
    .array(z.string().regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/, "must be an IAM policy ARN such as arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"))
    .default([]),
});

const serviceSchema = z
  .object({
    name: dnsName(20),
    /** `web`: behind the load balancer, autoscaled. `daemon`: one task per instance (log/metrics agents). */
    kind: z.enum(["web", "daemon"]).default("web"),
    image: z.string().min(1, "must name a container image"),
    /** CPU units (1024 = one vCPU). */
    cpu: int(0, 196608).default(256),
    /** Hard memory limit (MiB): the container is killed above it. */
    memory: int(6, 1048576),
    /** Soft memory limit (MiB) used for placement. */
    memoryReservation: int(6, 1048576),
    containerPort: port().optional(),
    /** At most 3 (an ALB rule condition takes 3 values), and 5 together with pathPatterns. */
    hostHeaders: z
      .array(z.string().refine(isValidHostHeader, { message: "must be a host name such as api.example.com (* wildcards allowed)" }))
      .max(3, "must list at most 3 hosts (ALB limit of values per rule condition)")
      .default([]),
    pathPatterns: z
      .array(z.string().regex(/^\/[\x21-\x7e]*$/, "must start with / and contain no spaces"))
      .max(3, "must list at most 3 paths (ALB limit of values per rule condition)")
      .default([]),
    healthCheck: z
      .object({
        path: z.string().regex(/^\/[\x21-\x7e]*$/, "must start with / and contain no spaces").default("/health"),
        matcher: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, "must be HTTP codes such as 200 or 200-399").default("200-399"),
        intervalSeconds: int(5, 300).default(10),
        timeoutSeconds: int(2, 120).default(5),
        healthyThreshold: int(2, 10).default(2),
        unhealthyThreshold: int(2, 10).default(3),
      })
      .prefault({})
      .superRefine((check, ctx) => {
        if (check.timeoutSeconds >= check.intervalSeconds) {
          ctx.addIssue({ code: "custom", path: ["timeoutSeconds"], message: `must be < intervalSeconds (${check.intervalSeconds})` });
        }
      }),
    /** Container-level health check (docker HEALTHCHECK), e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]. */
    containerHealthCheck: z
      .object({
        command: z.array(z.string().min(1)).min(2, "must be like [\"CMD-SHELL\", \"...\"]"),
        intervalSeconds: int(5, 300).default(30),
        timeoutSeconds: int(2, 60).default(5),
        retries: int(1, 10).default(3),
        startPeriodSeconds: int(0, 300).default(30),
      })
      .optional(),
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}),
    /** Environment variable name -> SSM parameter or Secrets Manager ARN. */
    secrets: z
      .record(
        z.string().regex(ENV_VAR_NAME, "must be an environment variable name"),
        z.string().regex(SECRET_ARN, "must be an SSM parameter or Secrets Manager secret ARN"),
      )
      .default({}),
    /** What the application may do with AWS (its task role); none by default. */
    taskRole: taskRoleSchema.optional(),
    /** Secrets Manager secret with private registry credentials (never in user data). */
    repositoryCredentialsSecretArn: z.string().regex(SECRET_ARN, "must be a Secrets Manager secret ARN").optional(),
    /** SIGTERM-to-SIGKILL grace; must fit the Spot warning with the deregistration delay. */
    stopTimeoutSeconds: int(2, SPOT_WARNING_SECONDS).default(30),
    deregistrationDelaySeconds: int(0, 3600).default(30),
    /** 0 = off, else 30-900. */
    slowStartSeconds: z
      .number()
      .int()
      .refine((value) => value === 0 || (value >= 30 && value <= 900), "must be 0 (off) or between 30 and 900")
      .default(0),
    desiredCount: int(0, 10000).default(2),
    minHealthyPercent: percent().default(50),
    maxPercent: int(100, 400).default(200),
    healthCheckGracePeriodSeconds: int(0, 2147483647).default(60),
    /** `default`: the environment's strategy; `on-demand` / `spot`: pin to one pool (capacity-providers mode only). */
    capacityPool: z.enum(["default", "on-demand", "spot"]).default("default"),
    autoscaling: autoscalingSchema.optional(),
    /** Default: the environment's logs.retentionDays. */
    logRetentionDays: logRetentionDays().optional(),
    /** Web services: alarm when targets answer more than this many 5xx a minute, 3 minutes running. */
    target5xxAlarmPerMinute: int(1, 1000000).default(10),
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
    name: dnsName(32),
    /** Checked below rather than with schedule() so that the error names the job. */
    schedule: z.string(),
    /** Run this service's task definition (with overrides)... */
    service: z.string().optional(),
    /** ...or its own image. Exactly one of service / image. */
    image: z.string().min(1).optional(),
    command: z.array(z.string()).default([]),
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}),
    /** For jobs with their own image. */
    cpu: int(0, 196608).default(256),
    memory: int(6, 1048576).default(512),
    taskCount: int(1, 10).default(1),
    enabled: z.boolean().default(true),
    /** > 0: run through Step Functions and retry when the task fails (e.g. Spot interruption); jobs must be idempotent. */
    retries: int(0, 10).default(0),
    capacityPool: z.enum(["default", "on-demand", "spot"]).default("default"),
  })
  .superRefine((job, ctx) => {
    if (!isValidScheduleExpression(job.schedule)) {
      ctx.addIssue({ code: "custom", path: ["schedule"], message: `job "${job.name}": ${SCHEDULE_SYNTAX}` });
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
    idleTimeoutSeconds: int(1, 4000).default(60),
    /** Who may reach ports 80/443. */
    ingressCidrs: z.array(cidr()).min(1, "must allow at least one CIDR").default(["0.0.0.0/0"]),
    deletionProtection: z.boolean().default(true),
    /** An existing ACM certificate ARN... */
    certificateArn: z.string().regex(ARN, "must be an ACM certificate ARN").optional(),
    /** ...or a domain to request one for (DNS validation, records in hostedZoneId when given). Neither = HTTP only. */
    domain: z
      .object({
        name: z.string().refine(isValidHostHeader, { message: "must be a domain name such as api.example.com" }),
        subjectAlternativeNames: z.array(z.string().refine(isValidHostHeader, { message: "must be a domain name" })).default([]),
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id").optional(),
      })
      .optional(),
    /** HTTPS listener security policy: TLS 1.3 and 1.2 only. */
    sslPolicy: z
      .string()
      .regex(MODERN_TLS_POLICY, "must be a TLS 1.3/1.2 policy such as ELBSecurityPolicy-TLS13-1-2-2021-06")
      .default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
    accessLogs: z.object({ expirationDays: int(1, 3650).default(90) }).prefault({}),
  })
  .superRefine((lb, ctx) => {
    if (lb.certificateArn && lb.domain) {
      ctx.addIssue({ code: "custom", path: ["certificateArn"], message: "set either certificateArn or domain, not both" });
    }
  });

const ciDeploySchema = z.object({
  provider: z.enum(["github", "gitlab"]),
  /**
   * Who may assume the deploy role: GitHub `repo:<org>/<repo>:ref:refs/heads/main` or
   * `repo:<org>/<repo>:environment:production`; GitLab `project_path:<group>/<project>:ref_type:branch:ref:main`.
   */
  subjects: z.array(z.string().min(3)).min(1, "must list at least one OIDC subject"),
  /** Use an existing OIDC provider ARN instead of creating one (there is one per account and URL). */
  oidcProviderArn: z.string().regex(ARN, "must be an IAM OIDC provider ARN").optional(),
  /** ECR repositories (names) in this account the deploy may push to. */
  ecrRepositories: z.array(z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "must be an ECR repository name")).default([]),
});

const environmentSchema = z
  .object({
    project: dnsName(20),
    environment: dnsName(12),
    region: z.string().regex(REGION, "must be an AWS region such as eu-west-1"),
    /** Refuse to run against any other account (provider allowed_account_ids). */
    allowedAccountIds: z.array(z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account id")).optional(),
    /** Extra default tags; project, environment and managed-by are always set. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    backend: backendSchema.default({ type: "local" }),
    network: networkSchema,
    capacity: capacitySchema,
    loadBalancer: loadBalancerSchema.prefault({}),
    logs: z.object({ retentionDays: logRetentionDays().default(30) }).prefault({}),
    services: z.array(serviceSchema).default([]),
    scheduledTasks: z.array(scheduledTaskSchema).default([]),
    spotDrainer: z
      .object({
        enabled: z.boolean().default(true),
        /** Seconds kept free before the 2-minute cliff: work that is not done by then is lost. */
        deadlineMarginSeconds: int(0, 60).default(10),
        /** Spot Fleet only: drain on rebalance recommendations too (ASGs with capacity rebalance never do). */
        drainOnRebalance: z.boolean().default(false),
        reservedConcurrency: int(1, 1000).default(10),
        /**
         * Spot-fleet mode: heartbeat timeout of the on-demand ASG's termination hook, i.e. how long a
         * scale-in or instance refresh waits for the drain before terminating anyway. At most 840 so
         * the drain plus start-up fits Lambda's 900 s timeout.
         */
        lifecycleHeartbeatSeconds: int(60, 840).default(600),
      })
      .prefault({}),
    amiWatch: z
      .object({
        enabled: z.boolean().default(true),
        schedule: schedule().default("rate(1 day)"),
        emails: z.array(z.email({ message: "must be an e-mail address" })).default([]),
        /**
         * Start an ASG instance refresh when the AMI moves, instead of waiting for a deploy. The ASGs'
         * launch templates then resolve the AMI from SSM at every launch (`resolve:ssm:`), so any
         * launch may bring a new AMI without a plan. Not with a pinned AMI; in spot-fleet mode only with the drainer.
         */
        autoRefresh: z.boolean().default(false),
      })
      .prefault({}),
    /** Where the environment's alarms (drainer failures, job dead letters, failed retried jobs) notify. */
    alerts: z
      .object({
        /** Subscribed to a topic created for the alarms (each address confirms once). */
        emails: z.array(z.email({ message: "must be an e-mail address" })).default([]),
        /** Or an existing SNS topic (e.g. wired to chat or paging); its key policy must let CloudWatch publish. */
        topicArn: z.string().regex(SNS_TOPIC_ARN, "must be an SNS topic ARN").optional(),
      })
      .prefault({})
      .superRefine((alerts, ctx) => {
        if (alerts.topicArn !== undefined && alerts.emails.length > 0) {
          ctx.addIssue({ code: "custom", path: ["emails"], message: "set either emails (a topic is created) or topicArn, not both" });
        }
      }),
    ciDeploy: ciDeploySchema.optional(),
  })
  .superRefine(checkCrossReferences);

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
        ctx.addIssue({ code: "custom", path: ["scheduledTasks", index, "service"], message: `job "${job.name}": unknown service "${job.service}"` });
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
  /** Config path of the setting, e.g. `services.1.stopTimeoutSeconds`. */
  readonly field: string;
}

/**
 * The longest stop timeout in the environment: the services' own and the agent default
 * (capacity.containerStopTimeoutSeconds) for containers without one. The Spot drainer sends StopTask
 * this long before its deadline, so it bounds the time left for every target's deregistration.
 */
export function longestStopTimeout(config: Pick<EnvironmentConfig, "capacity" | "services">): StopTimeout {
  return config.services.reduce<StopTimeout>(
    (longest, service, index) =>
      service.stopTimeoutSeconds > longest.seconds ? { seconds: service.stopTimeoutSeconds, field: `services.${index}.stopTimeoutSeconds` } : longest,
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

/** Validates one environment and fills in defaults, or throws a ConfigError listing every problem. */
export function parseEnvironmentConfig(input: unknown): EnvironmentConfig {
  const result = environmentSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || "(root)";
    return `${field}: ${issue.message}`;
  });
  const name =
    typeof input === "object" && input !== null && typeof (input as { environment?: unknown }).environment === "string"
      ? (input as { environment: string }).environment
      : "(unnamed)";
  throw new ConfigError(name, problems);
}
