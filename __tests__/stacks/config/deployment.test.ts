import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../../stacks/config";
import { parseEnvironmentConfig } from "../../../stacks/config";
import { peakTaskReservation, placeableCapacity } from "../../../stacks/config/deployment-rules";
import { minimalInput, validationMessage } from "../../support/config";

/** The minimal environment with api as an awsvpc canary (private subnets behind one NAT gateway). */
function canaryInput(): EnvironmentInput & { services: any[] } {
  const input = minimalInput();
  Object.assign(input.services[0], { networkMode: "awsvpc", deployment: { strategy: "canary" } });
  return input;
}

describe("deployment strategy config", () => {
  test("GIVEN a canary with defaults WHEN parsed THEN it is valid and rolling stays the default elsewhere", () => {
    const config = parseEnvironmentConfig({ ...canaryInput(), services: [...canaryInput().services, { name: "admin", image: "nginx", memory: 512, memoryReservation: 256, containerPort: 3000, hostHeaders: ["admin.example.com"] }] });
    expect(config.services[0].deployment).toMatchObject({ strategy: "canary", hooks: [] });
    expect(config.services[1].deployment).toEqual({ strategy: "rolling", hooks: [] });
    expect(config.services[1].networkMode).toBe("bridge");
  });

  test.each<[string, (input: any) => void, string]>([
    ["an unknown strategy", (i) => (i.services[0].deployment.strategy = "big-bang"), 'services[api].deployment.strategy: Invalid option: expected one of "rolling"|"canary"|"linear"|"blue-green"'],
    ["a canary share below 0.1 %", (i) => (i.services[0].deployment.canary = { percent: 0.05 }), "services[api].deployment.canary.percent: must be >= 0.1"],
    ["a canary bake over a day", (i) => (i.services[0].deployment.canary = { bakeMinutes: 1441 }), "services[api].deployment.canary.bakeMinutes: must be <= 1440"],
    ["linear steps on a canary", (i) => (i.services[0].deployment.linear = { stepPercent: 20 }), 'services[api].deployment.linear: only applies to strategy "linear" (strategy is "canary")'],
    ["a linear step below 3 %", (i) => (i.services[0].deployment = { strategy: "linear", linear: { stepPercent: 2 } }), "services[api].deployment.linear.stepPercent: must be >= 3"],
    ["a bake time on a rolling service", (i) => (i.services[0].deployment = { strategy: "rolling", bakeMinutes: 5 }), "services[api].deployment.bakeMinutes: only applies to the traffic-shifting strategies"],
    ["hooks on a rolling service", (i) => (i.services[0].deployment = { hooks: [{ functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:x", stages: ["POST_SCALE_UP"] }] }), "services[api].deployment.hooks: only applies to the traffic-shifting strategies"],
    ["a hook at a stage that takes none", (i) => (i.services[0].deployment.hooks = [{ functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:x", stages: ["BAKE_TIME"] }]), "services[api].deployment.hooks.0.stages.0: Invalid option"],
    ["verification without test traffic", (i) => (i.services[0].deployment.verify = {}), "services[api].deployment.verify: needs testTraffic"],
    ["a test header with a space", (i) => (i.services[0].deployment.testTraffic = { header: "X Test", value: "1" }), "services[api].deployment.testTraffic.header: must be an HTTP header name"],
    [
      "a traffic-shifting service in bridge mode",
      (i) => (i.services[0].networkMode = "bridge"),
      'services[api].networkMode: must be "awsvpc" for deployment.strategy "canary": ECS shifts traffic between two target groups of target type ip',
    ],
    ["request-count scaling on a canary", (i) => (i.services[0].autoscaling = { minCount: 2, maxCount: 4, requestsPerTarget: 100 }), "services[api].autoscaling.requestsPerTarget: cannot scale a \"canary\" service: ALBRequestCountPerTarget follows one target group"],
    ["a test rule over the ALB's condition limit", (i) => Object.assign(i.services[0], { hostHeaders: ["a.example.com", "b.example.com"], pathPatterns: ["/a", "/b", "/c"], deployment: { strategy: "canary", testTraffic: { value: "1" } } }), "services[api].deployment.testTraffic: the test rule adds a header value"],
    ["an awsvpc daemon", (i) => i.services.push({ name: "agent", kind: "daemon", image: "agent", memory: 128, memoryReservation: 64, networkMode: "awsvpc" }), "services[agent].networkMode: a daemon service runs one task per instance in bridge mode"],
    [
      "awsvpc tasks in public subnets",
      (i) => (i.network.natGateways = "none"),
      'services[api].networkMode: service "api": awsvpc tasks on EC2 get no public IP, and the instance subnets reach the internet only through public IPs (network.natGateways "none")',
    ],
    [
      "a canary in spot-fleet mode",
      (i) => (i.capacity = { mode: "spot-fleet", onDemand: { instanceTypes: ["m7i.large"], maxSize: 2 }, spotFleet: { instanceTypes: [{ type: "m7i.large" }], targetCapacity: 2, minCapacity: 2, maxCapacity: 4 } }),
      'services[api].deployment.strategy: service "api": "canary" starts a full second set of tasks, which only capacity providers\' managed scaling adds instances for',
    ],
    [
      "a canary the capacity cannot hold twice",
      (i) => Object.assign(i.services[0], { memory: 4096, memoryReservation: 4096, desiredCount: 4, autoscaling: { minCount: 4, maxCount: 6, cpuTargetPercent: 50 } }),
      "capacity.spot.maxSize: the services need 49152 MiB of memory at their task ceilings with a second full set for each traffic-shifting service (api)",
    ],
    [
      "a test rule with no priority before it",
      (i) => Object.assign(i.services[0], { listenerPriority: 1, deployment: { strategy: "canary", testTraffic: { value: "1" } } }),
      "services[api].listenerPriority: service \"api\": listener priority 1 leaves no room for the test rule",
    ],
    [
      "a test rule on another service's priority",
      (i) => {
        i.services[0].listenerPriority = 101;
        i.services[0].deployment.testTraffic = { value: "1" };
        i.services.push({ name: "admin", image: "nginx", memory: 512, memoryReservation: 256, containerPort: 3000, hostHeaders: ["admin.example.com"], listenerPriority: 100 });
      },
      'services[api].listenerPriority: service "api": the test rule takes listener priority 100 (the one before the service\'s 101), which is also service "admin"\'s',
    ],
  ])("GIVEN %s WHEN validated THEN the error names the field", (_name, change, message) => {
    expect(validationMessage(canaryInput(), change)).toContain(message);
  });

  test.each<[string, (input: any) => void]>([
    ["blue/green with test traffic, the shipped check and a hook of its own", (i) => (i.services[0].deployment = { strategy: "blue-green", bakeMinutes: 30, testTraffic: { value: "t" }, verify: { attempts: 3 }, hooks: [{ functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:approve", stages: ["POST_SCALE_UP"] }] })],
    ["linear with its steps", (i) => (i.services[0].deployment = { strategy: "linear", linear: { stepPercent: 25, stepBakeMinutes: 2 } })],
    ["a latency alarm on a rolling bridge service", (i) => Object.assign(i.services[0], { networkMode: "bridge", deployment: { latencyAlarmMilliseconds: 800 } })],
  ])("GIVEN %s WHEN validated THEN it is valid", (_name, change) => {
    expect(validationMessage(canaryInput(), change)).toBe("valid");
  });
});

describe("the headroom rule", () => {
  test("GIVEN a canary WHEN the peak is computed THEN it counts two full sets of it at its task ceiling and one of a rolling service", () => {
    const config = parseEnvironmentConfig({
      ...canaryInput(),
      services: [
        { ...canaryInput().services[0], cpu: 256, autoscaling: { minCount: 2, maxCount: 5, cpuTargetPercent: 50 } },
        { name: "admin", image: "nginx", cpu: 128, memory: 512, memoryReservation: 200, containerPort: 3000, hostHeaders: ["admin.example.com"], desiredCount: 3 },
        { name: "agent", kind: "daemon", image: "agent", memory: 128, memoryReservation: 64 },
      ],
    });
    expect(peakTaskReservation(config.services)).toEqual({ cpu: 5 * 2 * 256 + 3 * 128, memory: 5 * 2 * 256 + 3 * 200 });
    // 2 + 4 m7i.large (2 vCPU, 8 GiB; m6i.large the same) at 90 %, less the daemon (256 CPU units, 64 MiB) on each.
    expect(placeableCapacity(config)).toEqual({ cpu: Math.floor(6 * (2048 - 256) * 0.9), memory: Math.floor(6 * (8192 - 64) * 0.9) });
  });
});
