import { describe, expect, test } from "vitest";
import { z } from "zod";
import { ENVIRONMENT_SCHEMA, parseEnvironmentConfig, validateEnvironment } from "../../../stacks/config";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { configProblems, minimalInput } from "../../support/config";
import { EXAMPLES } from "../../support/examples";

type Mutable = Record<string, any>;
const production = (): Mutable => structuredClone(EXAMPLES.production) as Mutable;
const staging = (): Mutable => structuredClone(EXAMPLES.staging) as Mutable;

describe("strict config: an unknown key is an error naming it, its path and the closest known key", () => {
  test.each<[string, () => Mutable, string]>([
    [
      "a misspelled guard at the root",
      () => Object.assign(production(), { alowedAccountIds: ["123456789012"] }),
      "alowedAccountIds: unknown field; did you mean `allowedAccountIds`?",
    ],
    [
      "a misspelled section",
      () => Object.assign(staging(), { loadBalancr: { deletionProtection: false } }),
      "loadBalancr: unknown field; did you mean `loadBalancer`?",
    ],
    [
      "a misspelled service field, the service named",
      () => {
        const env = staging();
        env.services[0].helthCheck = { path: "/" };
        return env;
      },
      "services[api].helthCheck: unknown field; did you mean `healthCheck`?",
    ],
    [
      "a misspelled job field",
      () => {
        const env = production();
        env.scheduledTasks[1].retry = 2;
        return env;
      },
      "scheduledTasks[nightly-report].retry: unknown field; did you mean `retries`?",
    ],
    [
      "a key inside a default-filled section",
      () => Object.assign(staging(), { spotDrainer: { drainOnRebalance: true, deadlineMargin: 5 } }),
      "spotDrainer.deadlineMargin: unknown field; did you mean `deadlineMarginSeconds`?",
    ],
    [
      "a key in one variant of a discriminated union",
      () => Object.assign(staging(), { network: { mode: "create", cidr: "10.20.0.0/16", natGateways: "none", azcount: 3 } }),
      "network.azcount: unknown field; did you mean `azCount`?",
    ],
    [
      "a key of the other variant (local backends have no organization)",
      () => Object.assign(staging(), { backend: { type: "local", organization: "acme" } }),
      "backend.organization: unknown field; known fields: type, path",
    ],
    [
      "a key in a list item without a name",
      () => {
        const env = staging();
        env.capacity.spotFleet.instanceTypes[1].weight = 2;
        return env;
      },
      "capacity.spotFleet.instanceTypes.1.weight: unknown field; did you mean `weightedCapacity`?",
    ],
  ])("GIVEN %s WHEN validated THEN it is refused", (_case, input, expected) => {
    // GIVEN / WHEN
    const problems = configProblems(input());
    // THEN
    expect(problems).toEqual([expected]);
  });

  test("every unknown key of one object is reported on its own line", () => {
    const problems = configProblems(Object.assign(production(), { regoin: "eu-west-1", tagz: {} }));
    expect(problems).toEqual(["regoin: unknown field; did you mean `region`?", "tagz: unknown field; did you mean `tags`?"]);
  });

  test("every object in the schema is strict, including objects added later (walks the published JSON Schema)", () => {
    // GIVEN the schema as validation applies it
    const schema = z.toJSONSchema(ENVIRONMENT_SCHEMA, { io: "input", unrepresentable: "any" });
    // WHEN every object node is visited
    const loose: string[] = [];
    let objects = 0;
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${path}/${index}`));
      if (typeof node !== "object" || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === "object" && record.properties !== undefined) {
        objects += 1;
        if (record.additionalProperties !== false) loose.push(path || "/");
      }
      for (const [key, value] of Object.entries(record)) visit(value, `${path}/${key}`);
    };
    visit(schema, "");
    // THEN none lets unknown keys through (records, whose keys are data, have no `properties`)
    expect(objects).toBeGreaterThan(25);
    expect(loose).toEqual([]);
  });
});

describe("strictness keeps the schema's behaviour", () => {
  test("defaults are fresh for every parse (no object shared between environments)", () => {
    const [one, two] = [parseEnvironmentConfig(minimalInput()), parseEnvironmentConfig(minimalInput())];
    expect(one.tags).not.toBe(two.tags);
    expect(one.scheduledTasks).not.toBe(two.scheduledTasks);
    expect(one.capacity.instanceRefresh.checkpointPercentages).not.toBe(two.capacity.instanceRefresh.checkpointPercentages);
  });
});

describe("one spelling for enums: kebab-case", () => {
  test("the Spot Fleet allocation strategy takes the kebab-case spelling and gives the Spot Fleet API its own", () => {
    const env = staging();
    env.capacity.spotFleet.allocationStrategy = "capacity-optimized-prioritized";
    const { config, warnings } = validateEnvironment(env);
    expect(config.capacity.spotFleet?.allocationStrategy).toBe("capacityOptimizedPrioritized");
    expect(warnings).toEqual([]);
  });

  test("the old camelCase spelling still works, with a deprecation warning that says what to write", () => {
    const env = staging();
    env.capacity.spotFleet.allocationStrategy = "priceCapacityOptimized";
    const { config, warnings } = validateEnvironment(env);
    expect(config.capacity.spotFleet?.allocationStrategy).toBe("priceCapacityOptimized");
    expect(warnings).toEqual(['capacity.spotFleet.allocationStrategy: "priceCapacityOptimized" is a deprecated spelling; write "price-capacity-optimized"']);
  });

  test("the default is the kebab-case value, and a spelling that is neither is refused listing the documented ones", () => {
    expect(parseEnvironmentConfig(EXAMPLES.staging).capacity.spotFleet?.allocationStrategy).toBe("priceCapacityOptimized");
    const env = staging();
    env.capacity.spotFleet.allocationStrategy = "cheapest";
    expect(configProblems(env).join("\n")).toContain('"price-capacity-optimized"');
  });

  test("the shipped environments use the documented spellings only", () => {
    for (const input of Object.values(ENVIRONMENTS)) expect(validateEnvironment(input).warnings).toEqual([]);
  });
});

describe("errors that say how to fix", () => {
  test("echo the offending value", () => {
    expect(configProblems({ ...minimalInput(), region: "europe-west1" })).toEqual(['region: must be an AWS region such as eu-west-1 (got "europe-west1")']);
  });

  test("a wrong-architecture instance type gets types that fit", () => {
    const env = staging();
    env.capacity.spotFleet.instanceTypes[2].type = "m7i.large";
    expect(configProblems(env)).toEqual([
      "capacity.spotFleet.instanceTypes.2.type: m7i.large is x86_64, but architecture is arm64: use arm64 types such as m7g.large or m6g.large, or change capacity.architecture",
    ]);
  });

  test("an unknown discriminator lists the known ones", () => {
    expect(configProblems({ ...minimalInput(), backend: { type: "gcs" } })).toEqual(['backend.type: must be one of "local", "cloud", "s3" (got "gcs")']);
  });
});

describe("validating once (the synth's jitless parse) gives what the compiled parser gives", () => {
  test.each(Object.keys(ENVIRONMENTS))("%s: the same config and warnings", (name) => {
    expect(validateEnvironment(ENVIRONMENTS[name], { once: true })).toEqual(validateEnvironment(ENVIRONMENTS[name]));
  });

  test("the same problems for a bad one", () => {
    const bad = { ...minimalInput(), region: "moon-1", extra: true };
    const problems = (once: boolean) => {
      try {
        validateEnvironment(bad, { once });
        return [];
      } catch (error) {
        return (error as { problems: readonly string[] }).problems;
      }
    };
    expect(problems(true)).toEqual(problems(false));
    expect(problems(true).length).toBeGreaterThanOrEqual(2);
  });
});
