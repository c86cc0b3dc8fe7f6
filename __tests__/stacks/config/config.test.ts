import { describe, expect, test } from "vitest";
import { ConfigError, parseEnvironmentConfig } from "../../../stacks/config";
import { instanceArchitecture } from "../../../stacks/config/compute";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { minimalInput, validationMessage } from "../../support/config";

describe("parseEnvironmentConfig", () => {
  test.each(Object.entries(ENVIRONMENTS))("the shipped %s environment is valid", (_name, input) => {
    expect(() => parseEnvironmentConfig(input)).not.toThrow();
  });

  test("fills in defaults from one place", () => {
    // GIVEN a minimal input / WHEN parsed
    const config = parseEnvironmentConfig(minimalInput());

    // THEN
    expect(config.backend).toEqual({ type: "local" });
    expect(config.capacity.mode).toBe("capacity-providers");
    expect(config.capacity.spot).toMatchObject({ allocationStrategy: "price-capacity-optimized", capacityRebalance: true, onDemandBaseCapacity: 0 });
    expect(config.capacity.strategy).toEqual({ onDemandBase: 1, onDemandWeight: 1, spotWeight: 4 });
    expect(config.capacity.managedScaling.targetCapacityPercent).toBe(90);
    expect(config.loadBalancer).toMatchObject({ deletionProtection: true, idleTimeoutSeconds: 60, ingressCidrs: ["0.0.0.0/0"] });
    expect(config.logs.retentionDays).toBe(30);
    expect(config.services[0]).toMatchObject({
      kind: "web",
      minHealthyPercent: 50,
      maxPercent: 200,
      deregistrationDelaySeconds: 30,
      stopTimeoutSeconds: 30,
      healthCheck: { path: "/health", matcher: "200-399" },
    });
    expect(config.spotDrainer).toMatchObject({ enabled: true, deadlineMarginSeconds: 10, lifecycleHeartbeatSeconds: 600 });
    expect(config.amiWatch).toMatchObject({ enabled: true, schedule: "rate(1 day)", autoRefresh: false });
  });

  test.each<[string, (input: any) => void, string]>([
    ["project name charset", (i) => (i.project = "Acme_API"), "project: must be lowercase letters"],
    ["project name length", (i) => (i.project = "a".repeat(21)), "project: must be at most 20 characters"],
    ["region", (i) => (i.region = "europe-west1"), "region: must be an AWS region"],
    ["account id", (i) => (i.allowedAccountIds = ["1234"]), "allowedAccountIds.0: must be a 12-digit AWS account id"],
    ["cloud backend organization", (i) => (i.backend = { type: "cloud", organization: "" }), "backend.organization: must name the Terraform Cloud organization"],
    ["unknown backend", (i) => (i.backend = { type: "gcs" }), "backend.type:"],
    ["CIDR syntax", (i) => (i.network.cidr = "10.0.0/16"), "network.cidr: must be an IPv4 CIDR block"],
    ["CIDR host bits", (i) => (i.network.cidr = "10.0.0.1/16"), "network.cidr: must be an IPv4 CIDR block"],
    ["CIDR prefix", (i) => (i.network.cidr = "10.0.0.0/8"), "network.cidr: must have a prefix between /16 and /22"],
    ["AZ count", (i) => (i.network.azCount = 1), "network.azCount: must be >= 2"],
    ["NAT choice", (i) => (i.network.natGateways = "some"), "network.natGateways:"],
    ["existing VPC id", (i) => (i.network = { mode: "existing", vpcId: "vpc-1", publicSubnetIds: ["subnet-0a1b2c3d"], instanceSubnetIds: [] }), "network.vpcId: must be a VPC id"],
    ["existing subnets", (i) => (i.network = { mode: "existing", vpcId: "vpc-0a1b2c3d", publicSubnetIds: ["subnet-0a1b2c3d"], instanceSubnetIds: [] }), "network.publicSubnetIds: needs at least 2 subnets"],
    ["spot min > max", (i) => (i.capacity.spot.minSize = 5), "capacity.spot.maxSize: must be >= minSize (5)"],
    ["spot desired outside range", (i) => (i.capacity.spot.desiredCapacity = 9), "capacity.spot.desiredCapacity: must be between minSize (0) and maxSize (4)"],
    ["base capacity > max", (i) => (i.capacity.spot.onDemandBaseCapacity = 5), "capacity.spot.onDemandBaseCapacity: must be <= maxSize (4)"],
    ["percentage > 100", (i) => (i.capacity.spot.onDemandPercentageAboveBaseCapacity = 101), "capacity.spot.onDemandPercentageAboveBaseCapacity: must be <= 100"],
    ["percentage < 0", (i) => (i.capacity.managedScaling = { targetCapacityPercent: -1 }), "capacity.managedScaling.targetCapacityPercent: must be >= 1"],
    ["empty instance types", (i) => (i.capacity.onDemand.instanceTypes = []), "capacity.onDemand.instanceTypes: must list at least one instance type"],
    ["instance type syntax", (i) => (i.capacity.spot.instanceTypes = ["m7i-large"]), "capacity.spot.instanceTypes.0: must be an EC2 instance type"],
    ["instance architecture", (i) => (i.capacity.spot.instanceTypes = ["m7g.large"]), "capacity.spot.instanceTypes.0: m7g.large is arm64, but architecture is x86_64"],
    ["weights all zero", (i) => (i.capacity.strategy = { onDemandWeight: 0, spotWeight: 0 }), "capacity.strategy.spotWeight: onDemandWeight and spotWeight cannot both be 0"],
    ["spot missing in capacity-providers mode", (i) => delete i.capacity.spot, "capacity.spot: is required when mode is capacity-providers"],
    ["spot fleet missing in spot-fleet mode", (i) => (i.capacity.mode = "spot-fleet"), "capacity.spotFleet: is required when mode is spot-fleet"],
    ["stop timeout beyond the warning", (i) => (i.capacity.containerStopTimeoutSeconds = 121), "capacity.containerStopTimeoutSeconds: must be <= 120"],
    ["AMI id", (i) => (i.capacity.amiId = "ami-xyz"), "capacity.amiId: must be an AMI id"],
    ["duplicate service", (i) => i.services.push({ ...i.services[0], hostHeaders: ["other.example.com"] }), 'services.1.name: duplicate service name "api"'],
    ["duplicate host", (i) => i.services.push({ ...i.services[0], name: "web" }), 'services[web].hostHeaders.0: host "api.example.com" is already routed to service "api"'],
    ["memory reservation > memory", (i) => (i.services[0].memoryReservation = 1024), "services[api].memoryReservation: must be <= memory (512)"],
    ["port 0", (i) => (i.services[0].containerPort = 0), "services[api].containerPort: must be >= 1"],
    ["port 70000", (i) => (i.services[0].containerPort = 70000), "services[api].containerPort: must be <= 65535"],
    ["host name", (i) => (i.services[0].hostHeaders = ["not a host"]), "services[api].hostHeaders.0: must be a host name"],
    ["service name length", (i) => (i.services[0].name = "a-really-long-service-name"), "services[a-really-long-service-name].name: must be at most 20 characters"],
    ["unknown capacity pool", (i) => (i.services[0].capacityPool = "gpu"), "services[api].capacityPool:"],
    ["secret ARN", (i) => (i.services[0].secrets = { DB: "plain-text" }), "services[api].secrets.DB: must be an SSM parameter or Secrets Manager secret ARN"],
    ["log retention", (i) => (i.logs = { retentionDays: 0 }), "logs.retentionDays: must be one of 1, 3, 5"],
    ["autoscaling min > max", (i) => (i.services[0].autoscaling = { minCount: 5, maxCount: 2, cpuTargetPercent: 50 }), "services[api].autoscaling.maxCount: must be >= minCount (5)"],
    ["timing budget", (i) => (i.services[0].deregistrationDelaySeconds = 90), 'services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (90) + stopTimeoutSeconds (30) + spotDrainer.deadlineMarginSeconds (10) = 130 s does not fit'],
    ["bad cron", (i) => (i.scheduledTasks = [{ name: "nightly", schedule: "cron(0 2 * * * *)", service: "api" }]), 'scheduledTasks[nightly].schedule: job "nightly": "cron(0 2 * * * *)": exactly one of day-of-month ("*") and day-of-week ("*") must be ?'],
    ["bad rate", (i) => (i.scheduledTasks = [{ name: "often", schedule: "rate(0 minutes)", service: "api" }]), 'scheduledTasks[often].schedule: job "often": "rate(0 minutes)": the rate must be at least 1 (schedules run in UTC)'],
    ["job on unknown service", (i) => (i.scheduledTasks = [{ name: "nightly", schedule: "rate(1 day)", service: "nope" }]), 'scheduledTasks[nightly].service: job "nightly": unknown service "nope"; services it can run: "api"'],
    ["alarm e-mail", (i) => (i.amiWatch = { emails: ["not-an-address"] }), "amiWatch.emails.0: must be an e-mail address"],
    ["lifecycle heartbeat too short", (i) => (i.spotDrainer = { lifecycleHeartbeatSeconds: 59 }), "spotDrainer.lifecycleHeartbeatSeconds: must be >= 60"],
    ["lifecycle heartbeat beyond the Lambda timeout", (i) => (i.spotDrainer = { lifecycleHeartbeatSeconds: 841 }), "spotDrainer.lifecycleHeartbeatSeconds: must be <= 840"],
  ])("rejects %s, naming the field", (_case, change, expected) => {
    expect(validationMessage(minimalInput(), change)).toContain(expected);
  });

  test("lists every problem of a config in one error", () => {
    // GIVEN three independent mistakes
    const message = validationMessage(minimalInput(), (input) => {
      input.region = "mars-1";
      input.capacity.spot.minSize = 9;
      input.services[0].containerPort = 0;
    });

    // THEN all three are reported together, each with its field
    expect(message).toMatch(/^invalid configuration for environment "test":/);
    expect(message).toContain("region:");
    expect(message).toContain("capacity.spot.maxSize:");
    expect(message).toContain("services[api].containerPort:");
  });

  test("rejects input that is not an object with a message, not a crash", () => {
    expect(() => parseEnvironmentConfig(undefined)).toThrow(ConfigError);
    expect(() => parseEnvironmentConfig("staging")).toThrow(/\(root\): /);
  });

  test.each([
    ["m7g.large", "arm64"],
    ["c6gn.16xlarge", "arm64"],
    ["t4g.micro", "arm64"],
    ["a1.medium", "arm64"],
    ["m7i.large", "x86_64"],
    ["g5.xlarge", "x86_64"],
    ["c5.large", "x86_64"],
  ])("%s is %s", (type, architecture) => {
    expect(instanceArchitecture(type)).toBe(architecture);
  });
});
