import type { EnvironmentInput } from "../config";

/**
 * Staging: the cheapest shape that still behaves like production. Spot Fleet capacity on
 * Graviton, a VPC of its own without NAT gateways, plain HTTP on the load balancer's DNS name.
 */
export const staging: EnvironmentInput = {
  project: "acme-api",
  environment: "staging",
  region: "eu-west-1",
  tags: { "cost-center": "platform" },
  network: { mode: "create", cidr: "10.20.0.0/16", azCount: 2, natGateways: "none" },
  capacity: {
    mode: "spot-fleet",
    architecture: "arm64",
    containerStopTimeoutSeconds: 25,
    onDemand: { instanceTypes: ["t4g.medium"], minSize: 0, maxSize: 1, desiredCapacity: 0 },
    spotFleet: {
      instanceTypes: [
        { type: "t4g.medium", weightedCapacity: 1 },
        { type: "t4g.large", weightedCapacity: 2 },
        { type: "m7g.large", weightedCapacity: 2 },
        { type: "c7g.large", weightedCapacity: 2 },
      ],
      targetCapacity: 2,
      minCapacity: 1,
      maxCapacity: 8,
      targetTracking: { targetValue: 65 },
    },
  },
  loadBalancer: { deletionProtection: false, idleTimeoutSeconds: 60 },
  logs: { retentionDays: 14 },
  services: [
    {
      name: "api",
      image: "public.ecr.aws/nginx/nginx:1.27-alpine",
      cpu: 256,
      memory: 512,
      memoryReservation: 256,
      containerPort: 80,
      hostHeaders: ["api.staging.example.com"],
      healthCheck: { path: "/" },
      desiredCount: 1,
      environment: { LOG_LEVEL: "debug" },
      // nginx writes its cache, pid file and temp files; everything else stays read-only.
      readonlyRootFilesystem: true,
      writablePaths: ["/var/cache/nginx", "/var/run", "/tmp"],
      autoscaling: { minCount: 1, maxCount: 4, cpuTargetPercent: 70 },
    },
  ],
  scheduledTasks: [
    {
      // A job that brings its own image: asks the API to refresh its feeds.
      name: "feed-refresh",
      schedule: "rate(15 minutes)",
      image: "public.ecr.aws/docker/library/busybox:1.36",
      command: ["wget", "-qO-", "http://api.staging.example.com/internal/refresh-feeds?batch=100"],
      cpu: 64,
      memory: 64,
      // wget -O- writes to stdout only.
      readonlyRootFilesystem: true,
    },
  ],
  spotDrainer: { drainOnRebalance: true },
  amiWatch: { emails: ["platform-staging@example.com"] },
  alerts: { emails: ["platform-staging@example.com"] },
};
