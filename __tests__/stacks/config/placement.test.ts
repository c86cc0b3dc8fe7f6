import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../../stacks/config";
import { configProblems, minimalInput } from "../../support/config";
import { EXAMPLES } from "../../support/examples";

type Mutable = Record<string, any>;

/** minimalInput (on-demand m7i.large, Spot m7i.large + m6i.large, one web service api) changed in one place. */
function changed(change: (input: Mutable) => void): EnvironmentInput {
  const input = minimalInput() as Mutable;
  change(input);
  return input as EnvironmentInput;
}

const daemon = { name: "agent", kind: "daemon", image: "amazon/cloudwatch-agent:1.3", cpu: 512, memory: 1024, memoryReservation: 1024 };

describe("instance types in config", () => {
  test.each<[string, string, string]>([
    ["an unknown type", "c7gx.large", 'capacity.spot.instanceTypes.0: "c7gx.large" is not an EC2 instance type (not in the bundled table, instance-types/instance-types.json); did you mean c7g.large, c7gd.large, c7gn.large?'],
    ["a type in capitals", "M7i.large", 'capacity.spot.instanceTypes.0: instance types are lowercase: write "m7i.large" (got "M7i.large")'],
    ["no type at all", "large", 'capacity.spot.instanceTypes.0: must be an EC2 instance type such as m7g.large (got "large")'],
  ])("GIVEN %s WHEN validated THEN it is refused with the fix", (_case, type, message) => {
    const problems = configProblems(changed((input) => (input.capacity.spot.instanceTypes[0] = type)));
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  test("GIVEN an arm64 type in capitals on x86_64 WHEN validated THEN only the spelling is reported (not a wrong architecture)", () => {
    expect(configProblems(changed((input) => (input.capacity.onDemand.instanceTypes = ["C7g.large"])))).toEqual([
      'capacity.onDemand.instanceTypes.0: instance types are lowercase: write "c7g.large" (got "C7g.large")',
    ]);
  });

  test("GIVEN a type newer than the Spot snapshot WHEN validated THEN it is accepted", () => {
    expect(configProblems(changed((input) => (input.capacity.spot.instanceTypes = ["m8i.large", "m7i.large"])))).toEqual([]);
  });
});

describe("task fit", () => {
  test.each<[string, (input: Mutable) => void, string[]]>([
    [
      "a service reserving more memory than any type offers",
      (input) => Object.assign(input.services[0], { memory: 16384, memoryReservation: 16384 }),
      [
        'services[api].memoryReservation: service "api" needs 16384 MiB (memoryReservation), but no instance type of capacity.onDemand.instanceTypes offers that: the largest, m7i.large, gives tasks 7700 MiB (8192 MiB installed, about 94 % registered by ECS). The task would wait for capacity forever: lower memoryReservation or list larger instance types in capacity.onDemand.instanceTypes',
        'services[api].memoryReservation: service "api" needs 16384 MiB (memoryReservation), but no instance type of capacity.spot.instanceTypes offers that: the largest, m6i.large, gives tasks 7700 MiB (8192 MiB installed, about 94 % registered by ECS). The task would wait for capacity forever: lower memoryReservation or list larger instance types in capacity.spot.instanceTypes',
        'services[api].memory: service "api": memory 16384 MiB is more than any instance it can run on registers (at most 7700 MiB): lower memory, or list larger instance types',
      ],
    ],
    [
      "a service that fits the large Spot type but not the small one",
      (input) => {
        input.capacity.spot.instanceTypes = ["m7i.2xlarge", "m7i.large"];
        Object.assign(input.services[0], { capacityPool: "spot", cpu: 4096, memory: 4096, memoryReservation: 2048 });
      },
      [
        'services[api].cpu: service "api" needs 4096 CPU units (cpu), but the smallest instance types of capacity.spot.instanceTypes (m7i.large) offer that: m7i.large gives tasks 2048 CPU units (2 vCPU). An instance of those types can never run it, and the group may launch only those: lower cpu or remove them from capacity.spot.instanceTypes',
      ],
    ],
    [
      "a job that fits once the daemons are counted out",
      (input) => {
        input.services.push(daemon);
        input.scheduledTasks = [{ name: "report", schedule: "rate(1 hour)", image: "busybox:1.37", cpu: 1024, memory: 7000 }];
      },
      [
        'scheduledTasks[report].memory: job "report" needs 7000 MiB (memory), but no instance type of capacity.onDemand.instanceTypes offers that: the largest, m7i.large, gives tasks 6676 MiB (8192 MiB installed, about 94 % registered by ECS) after the daemons every instance runs (agent: 512 CPU units, 1024 MiB). The task would wait for capacity forever: lower memory or list larger instance types in capacity.onDemand.instanceTypes',
        'scheduledTasks[report].memory: job "report" needs 7000 MiB (memory), but no instance type of capacity.spot.instanceTypes offers that: the largest, m6i.large, gives tasks 6676 MiB (8192 MiB installed, about 94 % registered by ECS) after the daemons every instance runs (agent: 512 CPU units, 1024 MiB). The task would wait for capacity forever: lower memory or list larger instance types in capacity.spot.instanceTypes',
      ],
    ],
    [
      "daemons that do not fit the smallest type",
      (input) => {
        input.capacity.spot.instanceTypes = ["m7i.large", "t3.small"];
        input.services.push({ ...daemon, memory: 2048, memoryReservation: 2048 });
      },
      [
        'services[agent].memoryReservation: daemon "agent" runs on every instance, but the daemons together (512 CPU units, 2048 MiB) do not fit t3.small of capacity.spot.instanceTypes: lower the daemons\' cpu or memoryReservation, or remove those types',
      ],
    ],
  ])("GIVEN %s WHEN validated THEN it is refused at the field to change", (_case, change, problems) => {
    expect(configProblems(changed(change))).toEqual(problems);
  });

  test.each<[string, (input: Mutable) => void]>([
    ["a service pinned to the pool that fits it", (input) => {
      input.capacity.onDemand.instanceTypes = ["m7i.4xlarge"];
      input.capacity.strategy = { onDemandBase: 1, onDemandWeight: 1, spotWeight: 0 };
      input.capacity.spot.maxSize = 0;
      Object.assign(input.services[0], { capacityPool: "on-demand", cpu: 8192, memory: 16384, memoryReservation: 16384 });
    }],
    ["a job on a service's task definition (the service is checked)", (input) => (input.scheduledTasks = [{ name: "migrate", schedule: "rate(1 day)", service: "api" }])],
  ])("GIVEN %s WHEN validated THEN it is accepted", (_case, change) => {
    expect(configProblems(changed(change))).toEqual([]);
  });

  test("GIVEN the Spot Fleet environment WHEN a job is too big for its smallest type THEN the fleet's types are named (any instance can take it)", () => {
    const input = structuredClone(EXAMPLES.staging) as Mutable;
    input.scheduledTasks = [{ name: "big", schedule: "rate(1 hour)", image: "busybox:1.37", cpu: 4096, memory: 512 }];
    expect(configProblems(input)).toEqual([
      expect.stringMatching(/^scheduledTasks\[big\]\.cpu: job "big" needs 4096 CPU units \(cpu\), but no instance type of capacity\.onDemand\.instanceTypes offers that/),
      expect.stringMatching(/^scheduledTasks\[big\]\.cpu: job "big" needs 4096 CPU units \(cpu\), but no instance type of capacity\.spotFleet\.instanceTypes offers that/),
    ]);
  });
});

describe("fields that would be ignored", () => {
  test.each(["cpu", "memory"] as const)("GIVEN a job on a service's task definition with its own %s WHEN validated THEN it is refused, saying where it belongs", (field) => {
    const input = changed((input) => (input.scheduledTasks = [{ name: "migrate", schedule: "rate(1 day)", service: "api", [field]: 2048 }]));
    expect(configProblems(input)).toEqual([
      `scheduledTasks[migrate].${field}: job "migrate": ${field} 2048 would be ignored: the job runs service "api"'s task definition, which sets it. Remove ${field}, set it on service "api", or give the job an image of its own`,
    ]);
  });
});
