import { describe, expect, test } from "vitest";
import { REGISTERED } from "../../support/new-environments";
import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../../../stacks/config";
import { configProblems } from "../../support/config";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { EXAMPLES, type ExampleName } from "../../support/examples";

type Mutable = Record<string, any>;

/** A deep copy of a shipped example to break in one place. */
function environment(name: ExampleName): Mutable {
  return structuredClone(EXAMPLES[name]) as Mutable;
}

describe("capacity config", () => {
  test.each(REGISTERED)("the registered %s environment is valid", (name) => {
    // GIVEN a registered environment WHEN it is parsed THEN there are no problems
    expect(configProblems(ENVIRONMENTS[name])).toEqual([]);
  });

  test.each<[string, "production" | "staging", (env: Mutable) => void, string]>([
    ["on-demand min > max", "production", (env) => Object.assign(env.capacity.onDemand, { minSize: 5, maxSize: 2 }), "capacity.onDemand.maxSize: must be >= minSize (5)"],
    ["spot min > max", "production", (env) => Object.assign(env.capacity.spot, { minSize: 5, maxSize: 2 }), "capacity.spot.maxSize: must be >= minSize (5)"],
    ["fleet min > max", "staging", (env) => Object.assign(env.capacity.spotFleet, { minCapacity: 9, maxCapacity: 8 }), "capacity.spotFleet.maxCapacity: must be >= minCapacity (9)"],
    ["scaling step min > max", "production", (env) => Object.assign(env.capacity.managedScaling, { minimumScalingStepSize: 8 }), "capacity.managedScaling.maximumScalingStepSize: must be >= minimumScalingStepSize (8)"],
    ["on-demand base > max", "production", (env) => (env.capacity.spot.onDemandBaseCapacity = 31), "capacity.spot.onDemandBaseCapacity: must be <= maxSize (30)"],
    ["on-demand share > 100 %", "production", (env) => (env.capacity.spot.onDemandPercentageAboveBaseCapacity = 101), "capacity.spot.onDemandPercentageAboveBaseCapacity: must be <= 100"],
    ["on-demand share < 0 %", "production", (env) => (env.capacity.spot.onDemandPercentageAboveBaseCapacity = -1), "capacity.spot.onDemandPercentageAboveBaseCapacity: must be >= 0"],
    ["target capacity > 100 %", "production", (env) => (env.capacity.managedScaling.targetCapacityPercent = 101), "capacity.managedScaling.targetCapacityPercent: must be <= 100"],
    ["target capacity 0 %", "production", (env) => (env.capacity.managedScaling.targetCapacityPercent = 0), "capacity.managedScaling.targetCapacityPercent: must be >= 1"],
    ["refresh healthy > 100 %", "production", (env) => (env.capacity.instanceRefresh.minHealthyPercentage = 101), "capacity.instanceRefresh.minHealthyPercentage: must be <= 100"],
    ["reservation > 100 %", "staging", (env) => (env.capacity.spotFleet.reservationScaleOutPercent = 120), "capacity.spotFleet.reservationScaleOutPercent: must be <= 100"],
    ["no on-demand types", "production", (env) => (env.capacity.onDemand.instanceTypes = []), "capacity.onDemand.instanceTypes: must list at least one instance type"],
    ["no spot types", "production", (env) => (env.capacity.spot.instanceTypes = []), "capacity.spot.instanceTypes: must list at least one instance type"],
    ["no fleet types", "staging", (env) => (env.capacity.spotFleet.instanceTypes = []), "capacity.spotFleet.instanceTypes: must list at least one instance type"],
    ["fleet weight 0", "staging", (env) => (env.capacity.spotFleet.instanceTypes[0].weightedCapacity = 0), "capacity.spotFleet.instanceTypes.0.weightedCapacity: must be >= 1"],
    [
      "spot fleet without subnets",
      "staging",
      (env) => (env.network = { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], instanceSubnetIds: [] }),
      "network.instanceSubnetIds: needs at least 2 subnets (one per AZ)",
    ],
    ["weights all zero", "production", (env) => Object.assign(env.capacity.strategy, { onDemandWeight: 0, spotWeight: 0 }), "capacity.strategy.spotWeight: onDemandWeight and spotWeight cannot both be 0"],
    [
      "stop timeout + deregistration delay over the Spot warning",
      "staging",
      (env) => (env.capacity.containerStopTimeoutSeconds = 90),
      `services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (30) + the longest stop timeout on the instances (capacity.containerStopTimeoutSeconds = 90) + spotDrainer.deadlineMarginSeconds (10) = 130 s does not fit the 120 s Spot interruption warning`,
    ],
    ["stop timeout over 120 s", "staging", (env) => (env.capacity.containerStopTimeoutSeconds = 121), "capacity.containerStopTimeoutSeconds: must be <= 120"],
    ["capacity providers without spot", "production", (env) => delete env.capacity.spot, "capacity.spot: is required when mode is capacity-providers"],
    ["spot fleet mode without fleet", "staging", (env) => delete env.capacity.spotFleet, "capacity.spotFleet: is required when mode is spot-fleet"],
    [
      "spot section in spot-fleet mode",
      "staging",
      (env) => (env.capacity.spot = { instanceTypes: ["t4g.medium"], maxSize: 2 }),
      "capacity.spot: is only used when mode is capacity-providers",
    ],
    [
      "fleet section in capacity-providers mode",
      "production",
      (env) => (env.capacity.spotFleet = { instanceTypes: [{ type: "m7i.large" }], targetCapacity: 1, maxCapacity: 2 }),
      "capacity.spotFleet: is only used when mode is spot-fleet",
    ],
    ["checkpoints out of order", "production", (env) => (env.capacity.instanceRefresh.checkpointPercentages = [50, 20]), "capacity.instanceRefresh.checkpointPercentages.1: must be in strictly ascending order"],
    [
      "checkpoints that stop short of 100",
      "production",
      (env) => (env.capacity.instanceRefresh.checkpointPercentages = [20, 50]),
      "capacity.instanceRefresh.checkpointPercentages.1: must end with 100, or the instance refresh stops there and leaves the remaining instances on the old launch template",
    ],
    [
      "on-demand base with an empty on-demand group",
      "production",
      (env) => Object.assign(env.capacity.onDemand, { minSize: 0, maxSize: 0 }),
      "capacity.strategy.onDemandBase: sends tasks to on-demand, but onDemand.maxSize is 0",
    ],
    ["spot weight with an empty spot group", "production", (env) => (env.capacity.spot.maxSize = 0), "capacity.strategy.spotWeight: sends tasks to Spot, but spot.maxSize is 0"],
    ["instance type of the other architecture", "production", (env) => (env.capacity.spot.instanceTypes = ["m7g.large"]), "capacity.spot.instanceTypes.0: m7g.large is arm64, but architecture is x86_64"],
    [
      "an instance type listed twice (a Spot group's)",
      "production",
      (env) => env.capacity.spot.instanceTypes.push(env.capacity.spot.instanceTypes[0]),
      "is listed more than once (first at capacity.spot.instanceTypes.0): list each instance type once",
    ],
    [
      "an instance type listed twice (the Spot Fleet's, with another weight)",
      "staging",
      (env) => env.capacity.spotFleet.instanceTypes.push({ ...env.capacity.spotFleet.instanceTypes[0], weightedCapacity: 2 }),
      "is listed more than once (first at capacity.spotFleet.instanceTypes.0.type): list each instance type once",
    ],
  ])("rejects %s", (_name, base, breakIt, message) => {
    // GIVEN a shipped environment broken in one field
    const input = environment(base);
    breakIt(input);
    // WHEN it is parsed THEN the error names the field
    expect(configProblems(input)).toContainEqual(expect.stringContaining(message));
  });

  test("the error is a ConfigError naming the environment", () => {
    // GIVEN production with both weights at 0
    const input = environment("production");
    Object.assign(input.capacity.strategy, { onDemandWeight: 0, spotWeight: 0 });
    // WHEN / THEN
    expect(() => parseEnvironmentConfig(input as EnvironmentInput)).toThrow(ConfigError);
    expect(() => parseEnvironmentConfig(input as EnvironmentInput)).toThrow(/environment "production"[\s\S]*capacity\.strategy\.spotWeight/);
  });
});
