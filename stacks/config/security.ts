/**
 * The security settings of an environment (issue 13): their schemas, defaults and the rules types
 * cannot express. `stacks/config/` composes them into the environment schema; they live here so
 * that the hardening options read as one piece. Loads without cdktf, like the rest of stacks/config/.
 */
import { z } from "zod";

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\x21-\x7e]+)?$/;
const WAF_REGIONAL_ACL_ARN = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]+):\d{12}:regional\/webacl\/[A-Za-z0-9_-]{1,128}\/[0-9a-f-]{36}$/;

/** `logs.kmsKey`: the value that makes the platform create the key. */
export const CREATE_LOG_KEY = "create";

/** VPC flow logs of a VPC the platform creates: always on (a guardrail refuses a created VPC without them). */
export const flowLogsSchema = () =>
  z
    .object({
      destination: z
        .enum(["cloud-watch-logs", "s3"])
        .default("cloud-watch-logs")
        .describe(
          "Where the VPC's flow logs go: `cloud-watch-logs` (a log group with logs.retentionDays, written by a role only VPC Flow Logs of this account may assume) or `s3` (an existing bucket, bucketArn). Flow logs cannot be turned off for a created VPC.",
        ),
      bucketArn: z
        .string()
        .regex(S3_BUCKET_ARN, "must be an S3 bucket ARN such as arn:aws:s3:::acme-flow-logs (optionally /prefix)")
        .optional()
        .describe(
          "destination `s3` only: the bucket (ARN, optionally with a /prefix) the logs are delivered to; its policy must let delivery.logs.amazonaws.com write, and its lifecycle expires them.",
        ),
      trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL").describe("Which traffic the flow logs record: ALL, ACCEPT or REJECT."),
      maxAggregationIntervalSeconds: z
        .union([z.literal(60), z.literal(600)], { message: "must be 60 or 600" })
        .default(600)
        .describe("Seconds over which a flow is aggregated into one record: 60 or 600 (fewer records, lower ingestion cost)."),
    })
    .prefault({})
    .superRefine((flowLogs, ctx) => {
      if (flowLogs.destination === "s3" && flowLogs.bucketArn === undefined) {
        ctx.addIssue({ code: "custom", path: ["bucketArn"], message: "is required when destination is s3" });
      }
      if (flowLogs.destination === "cloud-watch-logs" && flowLogs.bucketArn !== undefined) {
        ctx.addIssue({ code: "custom", path: ["bucketArn"], message: "only applies when destination is s3" });
      }
    })
    .describe("VPC flow logs of the VPC the platform creates (network.mode create); on by default and always on.");

export const logsKmsKeySchema = () =>
  z
    .string()
    .refine((value) => value === CREATE_LOG_KEY || KMS_KEY_ARN.test(value), {
      message: `must be "${CREATE_LOG_KEY}" or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    })
    .optional()
    .describe(
      'Customer-managed KMS key for every log group of the environment (services, jobs, Lambdas, Step Functions, flow logs): "create" makes a rotating key whose policy lets CloudWatch Logs in this region use it for these log groups only (≈ $1/month plus requests), or the ARN of an existing key in the same region whose policy allows the same. Default: CloudWatch Logs\' own encryption.',
    );

export const readonlyRootFilesystemSchema = () =>
  z
    .boolean()
    .default(false)
    .describe(
      "Mount the container's root filesystem read-only; list the directories the image must write to in writablePaths. Jobs that run a service's task definition take the service's setting.",
    );

export const writablePathsSchema = () =>
  z
    .array(
      z
        .string()
        .regex(/^\/[\x21-\x7e]*$/, "must be an absolute path such as /tmp")
        .refine((path) => path !== "/", { message: "must not be / (that is a writable root filesystem)" })
        .refine((path) => path === "/" || !path.slice(1).split("/").some((part) => part === "" || part === "." || part === ".."), {
          message: "must be a normalized path (no trailing /, //, . or ..)",
        }),
    )
    .max(10, "must list at most 10 paths")
    .default([])
    .superRefine((paths, ctx) => {
      paths.forEach((path, index) => {
        if (paths.indexOf(path) !== index) ctx.addIssue({ code: "custom", path: [index], message: `duplicate writable path "${path}"` });
      });
    })
    .describe(
      "With readonlyRootFilesystem: directories that stay writable, each an empty scratch volume of the task (e.g. /tmp, /var/cache/nginx); absolute, no duplicates, not /.",
    );

export const containerUserSchema = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/, "must be a user, uid, user:group or uid:gid such as 1000:1000")
    .optional()
    .describe("Run the container as this user (and group), e.g. 1000:1000, instead of the image's user (often root). Default: the image's USER.");

export const wafSchema = () =>
  z
    .discriminatedUnion("mode", [
      z.object({
        mode: z.literal("create").describe("Create a web ACL for this load balancer."),
        rateLimitPerFiveMinutes: z
          .number()
          .int("must be an integer")
          .min(100, "must be >= 100")
          .max(2000000000, "must be <= 2000000000")
          .default(2000)
          .describe("Requests one client IP may send in any 5 minutes before the rate-based rule blocks it."),
        managedRulesAction: z
          .enum(["block", "count"])
          .default("block")
          .describe(
            "`block`: the AWS managed rule groups block what they match; `count`: they only count it (metrics and sampled requests), to try them against real traffic first. The rate limit always blocks.",
          ),
      }),
      z.object({
        mode: z.literal("existing").describe("Associate a web ACL managed elsewhere."),
        webAclArn: z
          .string()
          .regex(WAF_REGIONAL_ACL_ARN, "must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)")
          .describe("ARN of the regional WAFv2 web ACL to associate with the load balancer."),
      }),
    ])
    .optional()
    .describe(
      "AWS WAF for the public load balancer: `create` a web ACL with the AWS managed common, known-bad-inputs and IP-reputation rule groups and a per-IP rate limit (≈ $10/month plus $0.60 per million requests), or associate an `existing` one. Default: none.",
    );

export const stepFunctionsSchema = () =>
  z
    .object({
      logLevel: z.enum(["ALL", "ERROR", "FATAL"]).default("ERROR").describe("Execution events the job state machines log: ALL, ERROR or FATAL."),
      includeExecutionData: z
        .boolean()
        .default(false)
        .describe("Log execution input and output too; they carry the job's command and environment overrides, so off by default."),
      tracing: z.boolean().default(false).describe("X-Ray tracing of the job state machines' executions."),
    })
    .prefault({})
    .describe("Step Functions state machines of jobs with retries: execution logging and tracing.");

export const lambdasSchema = () =>
  z
    .object({
      tracingMode: z
        .enum(["PassThrough", "Active"])
        .default("PassThrough")
        .describe("X-Ray tracing mode of the platform's functions (Spot drainer, AMI watch): PassThrough, or Active to sample and record every invocation."),
    })
    .prefault({})
    .describe("Settings of the platform's own Lambda functions.");

/** What the cross-section rules below read. */
interface SecurityConfigView {
  readonly region: string;
  readonly logs: { readonly kmsKey?: string };
  readonly loadBalancer: { readonly waf?: { readonly mode: "create" } | { readonly mode: "existing"; readonly webAclArn: string } };
  readonly services: ReadonlyArray<{ readonly name: string; readonly readonlyRootFilesystem: boolean; readonly writablePaths: readonly string[] }>;
  readonly scheduledTasks: ReadonlyArray<{
    readonly name: string;
    readonly service?: string;
    readonly readonlyRootFilesystem: boolean;
    readonly writablePaths: readonly string[];
    readonly user?: string;
  }>;
}

/** Rules that span sections: keys and ACLs in the environment's region, writable paths only with a read-only root. */
export function checkSecurityCrossReferences(config: SecurityConfigView, ctx: z.RefinementCtx): void {
  const keyRegion = config.logs.kmsKey === undefined ? undefined : KMS_KEY_ARN.exec(config.logs.kmsKey)?.[1];
  if (keyRegion !== undefined && keyRegion !== config.region) {
    ctx.addIssue({
      code: "custom",
      path: ["logs", "kmsKey"],
      message: `is in ${keyRegion}, but CloudWatch Logs only uses keys of the log group's region (${config.region})`,
    });
  }
  const waf = config.loadBalancer.waf;
  const aclRegion = waf?.mode === "existing" ? WAF_REGIONAL_ACL_ARN.exec(waf.webAclArn)?.[1] : undefined;
  if (aclRegion !== undefined && aclRegion !== config.region) {
    ctx.addIssue({
      code: "custom",
      path: ["loadBalancer", "waf", "webAclArn"],
      message: `is in ${aclRegion}; a load balancer can only use a web ACL of its own region (${config.region})`,
    });
  }
  config.services.forEach((service, index) => {
    if (service.writablePaths.length > 0 && !service.readonlyRootFilesystem) {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "writablePaths"],
        message: `service "${service.name}": only applies with readonlyRootFilesystem: true (the root filesystem is writable anyway)`,
      });
    }
  });
  config.scheduledTasks.forEach((job, index) => {
    if (job.service !== undefined && (job.readonlyRootFilesystem || job.writablePaths.length > 0 || job.user !== undefined)) {
      const field = job.readonlyRootFilesystem ? "readonlyRootFilesystem" : job.writablePaths.length > 0 ? "writablePaths" : "user";
      ctx.addIssue({
        code: "custom",
        path: ["scheduledTasks", index, field],
        message: `job "${job.name}": runs service "${job.service}"'s task definition, which takes the service's readonlyRootFilesystem, writablePaths and user`,
      });
    } else if (job.writablePaths.length > 0 && !job.readonlyRootFilesystem) {
      ctx.addIssue({
        code: "custom",
        path: ["scheduledTasks", index, "writablePaths"],
        message: `job "${job.name}": only applies with readonlyRootFilesystem: true (the root filesystem is writable anyway)`,
      });
    }
  });
}
