/** The ECS services, their autoscaling and task roles, and the CI deploy role. */
import { z } from "zod";
import { CI_OIDC_ISSUERS } from "../../modules/services/ci-oidc-issuers";
import { isValidHostHeader, SPOT_WARNING_SECONDS } from "./validators";
import { containerUserSchema, readonlyRootFilesystemSchema, writablePathsSchema } from "./security";
import { ARN, SECRET_ARN, ENV_VAR_NAME, dnsName, int, percent, port, logRetentionDays } from "./fields";
import { deploymentSchema, shiftsTraffic } from "./deployment";

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

export const serviceSchema = z
  .object({
    name: dnsName(20).describe("Service name, unique in the environment: names the ECS service, task family, log group, roles and target group."),
    kind: z.enum(["web", "daemon"]).default("web").describe("`web`: behind the load balancer, autoscaled. `daemon`: one task per instance (log or metrics agents), no load balancer."),
    image: z.string().min(1, "must name a container image").describe("Container image a new stack starts with. Releases own the running image: ship images with `npm run release -- deploy --image` (see docs/operations.md, Releases own the running revision)."),
    cpu: int(0, 196608).default(256).describe("CPU units reserved for the container (1024 = one vCPU)."),
    memory: int(6, 1048576).describe("Hard memory limit (MiB): the container is killed above it."),
    memoryReservation: int(6, 1048576).describe("Soft memory limit (MiB) used for placement; at most `memory`."),
    containerPort: port().optional().describe("Port the container listens on; required for web services (bridge networking maps a dynamic host port)."),
    networkMode: z
      .enum(["bridge", "awsvpc"])
      .default("bridge")
      .describe("Web services: `bridge` publishes the container on a dynamic host port of the instance (instance targets). `awsvpc` gives every task its own network interface and a security group of the service (ip targets); required by the traffic-shifting deployment strategies. Tasks per instance are then bounded by its network interfaces (see docs/progressive-delivery.md, ENI trunking)."),
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
    environment: z.record(z.string().regex(ENV_VAR_NAME, "must be an environment variable name"), z.string()).default({}).describe("Environment variables (name → value). A change reaches the tasks with the next release after the apply."),
    secrets: z
      .record(
        z.string().regex(ENV_VAR_NAME, "must be an environment variable name"),
        z.string().regex(SECRET_ARN, "must be an SSM parameter or Secrets Manager secret ARN"),
      )
      .default({}).describe("Environment variables from SSM parameters or Secrets Manager (name → ARN); the execution role may read exactly these. A change reaches the tasks with the next release after the apply."),
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
    deployment: deploymentSchema.describe("How new revisions reach clients: rolling (default), canary, linear or blue-green (web services)."),
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
      if (shiftsTraffic(service.deployment) && service.networkMode !== "awsvpc") {
        ctx.addIssue({
          code: "custom",
          path: ["networkMode"],
          message: `must be "awsvpc" for deployment.strategy "${service.deployment.strategy}": ECS shifts traffic between two target groups of target type ip (Fargate, or EC2 with awsvpc network mode); bridge mode's dynamic host ports register instance targets, which AWS does not document for ECS blue/green, canary or linear deployments`,
        });
      }
      if (shiftsTraffic(service.deployment) && service.autoscaling?.requestsPerTarget !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["autoscaling", "requestsPerTarget"],
          message: `cannot scale a "${service.deployment.strategy}" service: ALBRequestCountPerTarget follows one target group, and each deployment moves production traffic to the other one (scale on cpuTargetPercent or memoryTargetPercent)`,
        });
      }
      if (service.deployment.testTraffic && service.hostHeaders.length + service.pathPatterns.length > 4) {
        ctx.addIssue({ code: "custom", path: ["deployment", "testTraffic"], message: "the test rule adds a header value to the hosts and paths: hostHeaders + pathPatterns must be at most 4 (ALB rule condition limit of 5)" });
      }
    } else {
      if (service.networkMode !== "bridge") {
        ctx.addIssue({ code: "custom", path: ["networkMode"], message: "a daemon service runs one task per instance in bridge mode" });
      }
      if (service.deployment.strategy !== "rolling") {
        ctx.addIssue({ code: "custom", path: ["deployment", "strategy"], message: "a daemon service has no load balancer traffic to shift: only \"rolling\" applies" });
      }
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

export const ciDeploySchema = z.object({
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
