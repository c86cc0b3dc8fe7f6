import type { EnvironmentInput } from "../config";

/**
 * Production: an existing VPC, an on-demand base with most tasks on Spot through capacity
 * providers, HTTPS with an ACM certificate, state in Terraform Cloud.
 */
export const production: EnvironmentInput = {
  project: "acme-api",
  environment: "production",
  region: "eu-west-1",
  allowedAccountIds: ["123456789012"],
  tags: { "cost-center": "platform" },
  backend: { type: "cloud", organization: "acme" },
  network: {
    mode: "existing",
    vpcId: "vpc-0a1b2c3d4e5f60718",
    publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
    instanceSubnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012", "subnet-0a1b2c3d4e5f60013"],
  },
  capacity: {
    mode: "capacity-providers",
    architecture: "x86_64",
    detailedMonitoring: true,
    onDemand: { instanceTypes: ["m7i.large", "m6i.large"], minSize: 1, maxSize: 6 },
    spot: {
      instanceTypes: ["m7i.large", "m6i.large", "m6a.large", "m5.large", "c6i.xlarge", "r6i.large"],
      minSize: 0,
      maxSize: 30,
      allocationStrategy: "price-capacity-optimized",
      capacityRebalance: true,
    },
    managedScaling: { targetCapacityPercent: 85, maximumScalingStepSize: 6 },
    strategy: { onDemandBase: 2, onDemandWeight: 1, spotWeight: 4 },
    instanceRefresh: { minHealthyPercentage: 90, checkpointPercentages: [20, 100] },
  },
  loadBalancer: {
    deletionProtection: true,
    idleTimeoutSeconds: 60,
    domain: { name: "api.example.com", subjectAlternativeNames: ["admin.example.com"], hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    waf: { mode: "create", rateLimitPerFiveMinutes: 2000 },
  },
  logs: { retentionDays: 90, kmsKey: "create" },
  services: [
    {
      name: "api",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0",
      cpu: 512,
      memory: 1024,
      memoryReservation: 768,
      containerPort: 8080,
      hostHeaders: ["api.example.com"],
      healthCheck: { path: "/health" },
      containerHealthCheck: { command: ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"] },
      desiredCount: 4,
      stopTimeoutSeconds: 25,
      environment: { NODE_ENV: "production" },
      secrets: { DATABASE_URL: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/production/database-url" },
      readonlyRootFilesystem: true,
      writablePaths: ["/tmp"],
      autoscaling: { minCount: 4, maxCount: 40, cpuTargetPercent: 60, stepScaling: { thresholdPercent: 85 } },
      // A canary: 10 % of production traffic for 10 minutes, then all of it, the old tasks kept 10 minutes more.
      // The 5xx, unhealthy-target and latency alarms roll it back; the test rule is checked before any shift.
      networkMode: "awsvpc",
      deployment: {
        strategy: "canary",
        canary: { percent: 10, bakeMinutes: 10 },
        bakeMinutes: 10,
        testTraffic: { header: "X-Deployment-Test", value: "acme-api-canary" },
        verify: { path: "/health" },
        latencyAlarmMilliseconds: 1500,
      },
    },
    {
      name: "admin",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-admin:1.0.0",
      cpu: 256,
      memory: 512,
      memoryReservation: 384,
      containerPort: 3000,
      hostHeaders: ["admin.example.com"],
      desiredCount: 2,
      capacityPool: "on-demand",
      autoscaling: { minCount: 2, maxCount: 6, memoryTargetPercent: 75, disableScaleIn: false },
      readonlyRootFilesystem: true,
      writablePaths: ["/tmp"],
    },
    {
      name: "metrics-agent",
      kind: "daemon",
      image: "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300045.0b810",
      cpu: 64,
      memory: 256,
      memoryReservation: 128,
      // The agent's config (its image reads CW_CONFIG_CONTENT). Containers cannot reach IMDS (hop limit 1), so
      // the region is set here and instance ids are not appended: memory and root-volume use of every instance,
      // published without the container's hostname, one series per metric for the whole environment.
      environment: {
        CW_CONFIG_CONTENT: JSON.stringify({
          agent: { region: "eu-west-1", omit_hostname: true },
          metrics: {
            namespace: "CWAgent",
            metrics_collected: { mem: { measurement: ["mem_used_percent"] }, disk: { measurement: ["used_percent"], resources: ["/"] } },
          },
        }),
      },
      // Read-only root: in a container the agent reads its config from CW_CONFIG_CONTENT and logs to stdout; it only
      // writes the translated config (etc/: .toml, .yaml, env-config.json) and its pid file (var/). Paths from the
      // agent's source (tool/paths/paths_unix.go, cmd/start-amazon-cloudwatch-agent).
      readonlyRootFilesystem: true,
      writablePaths: ["/opt/aws/amazon-cloudwatch-agent/etc", "/opt/aws/amazon-cloudwatch-agent/var"],
      // Least privilege: metrics into its own namespace only (PutMetricData has no resource-level permissions).
      taskRole: {
        statements: [
          {
            sid: "PublishAgentMetrics",
            actions: ["cloudwatch:PutMetricData"],
            resources: ["*"],
            conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }],
          },
        ],
      },
    },
  ],
  scheduledTasks: [
    {
      name: "feed-refresh",
      schedule: "cron(0/15 * * * ? *)",
      service: "api",
      command: ["node", "jobs/refresh-feeds.js"],
      retries: 2,
    },
    {
      name: "nightly-report",
      schedule: "cron(30 2 * * ? *)",
      service: "api",
      command: ["node", "jobs/nightly-report.js"],
      capacityPool: "on-demand",
    },
  ],
  // One execution per Spot instance the pool can hold (capacity.spot.maxSize): a storm drains them all in parallel.
  spotDrainer: { reservedConcurrency: 30 },
  amiWatch: { emails: ["platform-oncall@example.com"] },
  alerts: { emails: ["platform-oncall@example.com"] },
  ciDeploy: {
    provider: "github",
    subjects: ["repo:acme/acme-api:environment:production"],
    ecrRepositories: ["acme-api", "acme-admin"],
  },
};
