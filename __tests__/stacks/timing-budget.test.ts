import { describe, expect, test } from "vitest";
import { longestStopTimeout, parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { configProblems, minimalInput } from "../support/config";

type Service = NonNullable<EnvironmentInput["services"]>[number];

const web = (name: string, timing: Partial<Service> = {}): Service => ({
  name,
  image: "nginx",
  memory: 512,
  memoryReservation: 256,
  containerPort: 80,
  hostHeaders: [`${name}.example.com`],
  ...timing,
});
const daemon = (name: string, timing: Partial<Service> = {}): Service => ({ name, kind: "daemon", image: "agent", memory: 128, memoryReservation: 64, ...timing });

/** The minimal environment with these services, an agent default stop timeout and a drain margin. */
function environment(services: Service[], containerStopTimeoutSeconds = 30, deadlineMarginSeconds = 10): EnvironmentInput {
  return {
    ...minimalInput(),
    capacity: {
      containerStopTimeoutSeconds,
      onDemand: { instanceTypes: ["m7i.large"], maxSize: 2 },
      spot: { instanceTypes: ["m7i.large"], maxSize: 4 },
    },
    services,
    spotDrainer: { deadlineMarginSeconds },
  };
}

describe("Spot timing budget", () => {
  test.each<[string, EnvironmentInput, string[]]>([
    ["defaults: 30 + 30 + 10 fits", environment([web("api")]), []],
    ["exactly 120 s fits", environment([web("api", { deregistrationDelaySeconds: 60, stopTimeoutSeconds: 50 })]), []],
    [
      "one second over, naming the service and its own fields",
      environment([web("api", { deregistrationDelaySeconds: 61, stopTimeoutSeconds: 50 })]),
      ['services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (61) + stopTimeoutSeconds (50) + spotDrainer.deadlineMarginSeconds (10) = 121 s does not fit the 120 s Spot interruption warning'],
    ],
    [
      "a larger margin eats the budget",
      environment([web("api", { deregistrationDelaySeconds: 60, stopTimeoutSeconds: 30 })], 30, 40),
      ['services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (60) + stopTimeoutSeconds (30) + spotDrainer.deadlineMarginSeconds (40) = 130 s'],
    ],
    [
      "another service's longer stop timeout shortens every service's deregistration window",
      environment([web("api", { deregistrationDelaySeconds: 60, stopTimeoutSeconds: 20 }), web("worker", { deregistrationDelaySeconds: 0, stopTimeoutSeconds: 55 })]),
      ['services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (60) + the longest stop timeout on the instances (services[worker].stopTimeoutSeconds = 55) + spotDrainer.deadlineMarginSeconds (10) = 125 s'],
    ],
    [
      "a daemon's stop timeout counts for the web services too",
      environment([web("api", { deregistrationDelaySeconds: 45 }), daemon("agent", { stopTimeoutSeconds: 70 })]),
      ['services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (45) + the longest stop timeout on the instances (services[agent].stopTimeoutSeconds = 70) + spotDrainer.deadlineMarginSeconds (10) = 125 s'],
    ],
    ["a daemon has no deregistration delay of its own", environment([daemon("agent", { stopTimeoutSeconds: 100, deregistrationDelaySeconds: 300 })]), []],
    [
      "a daemon that cannot stop in time",
      environment([daemon("agent", { stopTimeoutSeconds: 115 })]),
      ['services[agent].stopTimeoutSeconds: service "agent": stopTimeoutSeconds (115) + spotDrainer.deadlineMarginSeconds (10) = 125 s does not fit the 120 s Spot interruption warning'],
    ],
    [
      "the agent default stop timeout alone",
      environment([], 115),
      ["capacity.containerStopTimeoutSeconds: containerStopTimeoutSeconds (115) + spotDrainer.deadlineMarginSeconds (10) = 125 s does not fit the 120 s Spot interruption warning"],
    ],
    [
      "the agent default stop timeout with a service's deregistration delay",
      environment([web("api", { deregistrationDelaySeconds: 50, stopTimeoutSeconds: 20 })], 70),
      ['services[api].deregistrationDelaySeconds: service "api": deregistrationDelaySeconds (50) + the longest stop timeout on the instances (capacity.containerStopTimeoutSeconds = 70) + spotDrainer.deadlineMarginSeconds (10) = 130 s'],
    ],
  ])("%s", (_case, input, expected) => {
    // GIVEN an environment / WHEN validated
    const found = configProblems(input);

    // THEN exactly the expected problems, each naming its field
    expect(found).toHaveLength(expected.length);
    expected.forEach((message, index) => expect(found[index]).toContain(message));
  });

  test.each([
    { case: "agent default is longest", services: [web("api", { stopTimeoutSeconds: 20 })], agent: 45, expected: { seconds: 45, field: "capacity.containerStopTimeoutSeconds" } },
    { case: "a service is longest", services: [web("api", { stopTimeoutSeconds: 20 }), daemon("agent", { stopTimeoutSeconds: 50 })], agent: 30, expected: { seconds: 50, field: "services[agent].stopTimeoutSeconds" } },
    { case: "a tie keeps the agent default", services: [web("api", { stopTimeoutSeconds: 30 })], agent: 30, expected: { seconds: 30, field: "capacity.containerStopTimeoutSeconds" } },
  ])("longestStopTimeout: $case", ({ services, agent, expected }) => {
    expect(longestStopTimeout(parseEnvironmentConfig(environment(services, agent)))).toEqual(expected);
  });
});

describe("spotDrainer.drainOnRebalance", () => {
  test("is refused outside spot-fleet mode, where managed draining handles capacity rebalance", () => {
    // GIVEN capacity providers with drainOnRebalance / WHEN validated / THEN
    expect(configProblems({ ...environment([web("api")]), spotDrainer: { drainOnRebalance: true } })).toEqual([
      "spotDrainer.drainOnRebalance: only applies in spot-fleet mode: ASGs with capacity rebalance replace such instances themselves and managed draining moves their tasks (got true)",
    ]);
  });

  test("is accepted in spot-fleet mode with the fleet's capacity rebalance (the fleet replaces what is drained)", () => {
    const input = environment([web("api")]);
    const spotFleet: EnvironmentInput = {
      ...input,
      capacity: {
        mode: "spot-fleet",
        onDemand: { instanceTypes: ["m7i.large"], maxSize: 1 },
        // A floor of one instance per AZ (2).
        spotFleet: { instanceTypes: [{ type: "m7i.large" }], targetCapacity: 2, minCapacity: 2, maxCapacity: 4, capacityRebalance: true },
      },
      spotDrainer: { drainOnRebalance: true },
    };
    expect(configProblems(spotFleet)).toEqual([]);
  });
});
