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
      // Weighted by vCPU (2 each); ECS places by the memory each instance registers.
      instanceTypes: [
        { type: "t4g.medium", weightedCapacity: 1 },
        { type: "t4g.large", weightedCapacity: 1 },
        { type: "m7g.large", weightedCapacity: 1 },
        { type: "c7g.large", weightedCapacity: 1 },
      ],
      // At least one instance per AZ (2): scale-in never leaves every task in one AZ.
      targetCapacity: 2,
      minCapacity: 2,
      maxCapacity: 8,
      // Rebalance recommendations get a replacement; the drainer drains and terminates the old instance.
      capacityRebalance: true,
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
      // No domain here: clients use the load balancer's DNS name, which only a rule without a Host condition matches.
      pathPatterns: ["/*"],
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
      // A job that brings its own image: checks that the API answers through the load balancer, as clients
      // reach it. ALB_DNS_NAME is set for every job; a non-2xx answer exits non-zero and raises the job's alarm.
      name: "smoke-check",
      schedule: "rate(15 minutes)",
      image: "public.ecr.aws/docker/library/busybox:1.36",
      command: ["sh", "-c", 'wget -q -O /dev/null "http://$ALB_DNS_NAME/"'],
      cpu: 64,
      memory: 64,
      // wget -O- writes to stdout only.
      readonlyRootFilesystem: true,
    },
  ],
  spotDrainer: { drainOnRebalance: true },
  // An AWS FIS template that interrupts half the fleet's Spot instances when started (docs/spot.md, "Rehearse a Spot interruption").
  spotDrill: { enabled: true },
  amiWatch: { emails: ["platform-staging@example.com"] },
  alerts: { emails: ["platform-staging@example.com"] },
  // The account's GitHub OIDC provider is looked up, not created (createOidcProvider: true creates it, once per account).
  // CI pushes the API's release images here (the example runs public nginx until the first release); the deploy role may push to it.
  ecr: { repositories: [{ name: "acme-api/staging/api", keepImages: 50 }] },
  ciDeploy: { provider: "github", subjects: ["repo:acme/acme-api:environment:staging"] },
};
