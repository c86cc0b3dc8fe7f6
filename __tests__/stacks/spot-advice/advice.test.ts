import { describe, expect, test } from "vitest";
import { adviseSpotPools, familyGeneration, saferAlternatives, spotPoolWarnings } from "../../../stacks/spot-advice/advice";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../../stacks/config";
import { configProblems, minimalInput } from "../../support/config";
import { fixtureDataset } from "../../support/spot-data";
import { EXAMPLES } from "../../support/examples";

const dataset = fixtureDataset();

/** minimalInput (capacity providers, eu-west-1, 2 AZs) with the Spot ASG listing `types`. */
function withSpotTypes(types: string[], change: (input: any) => void = () => undefined): EnvironmentInput {
  const input: any = minimalInput();
  input.capacity.spot.instanceTypes = types;
  change(input);
  return input;
}

/** The shipped staging example (Spot Fleet, arm64) with its fleet listing `types`, weight 1 each. */
function withFleetTypes(types: string[]): EnvironmentInput {
  const input: any = structuredClone(EXAMPLES.staging);
  input.capacity.onDemand.instanceTypes = ["m7g.large"];
  input.capacity.spotFleet.instanceTypes = types.map((type) => ({ type, weightedCapacity: 1 }));
  return input;
}

const advise = (input: EnvironmentInput) => adviseSpotPools(parseEnvironmentConfig(input), dataset);
const summary = (input: EnvironmentInput) => advise(input).map((item) => [item.level, item.rule, item.pool, item.type ?? null]);

describe("Spot pool advice rules", () => {
  test.each([
    ["diversified, 2 families, all <5%-15%", withSpotTypes(["m6i.large", "m6a.large", "c6i.large", "c6i.xlarge"]), []],
    ["2 types of 2 generations", withSpotTypes(["m7i.large", "m6i.large"]), [["warn", "few-instance-types", "spot", null]]],
    [
      "2 types of one family and generation",
      withSpotTypes(["m6i.large", "m6a.large"]),
      [
        ["warn", "few-instance-types", "spot", null],
        ["warn", "single-family", "spot", null],
      ],
    ],
    ["a >20% type", withSpotTypes(["m6a.large", "c6i.xlarge", "r6i.large", "m5.large"]), [["warn", "high-interruption", "spot", "m5.large"]]],
    ["a 15-20% type is not flagged", withSpotTypes(["m6a.large", "c6i.xlarge", "r6i.large", "m6i.large"]), []],
    ["a type the data lacks in the region", withSpotTypes(["m6i.large", "m6a.large", "c6i.large", "m8i.large"]), [["warn", "unknown-type", "spot", "m8i.large"]]],
    [
      "a region the data lacks",
      withSpotTypes(["m6i.large", "c6i.large", "r6i.large", "m7i.large"], (input) => (input.region = "ap-south-2")),
      ["m6i.large", "c6i.large", "r6i.large", "m7i.large"].map((type) => ["warn", "unknown-type", "spot", type]),
    ],
    [
      "one subnet (listed twice) is a single AZ",
      withSpotTypes(["m6i.large", "m6a.large", "c6i.large", "c6i.xlarge"], (input) => {
        input.network = {
          mode: "existing",
          vpcId: "vpc-0a1b2c3d4e5f60718",
          publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
          instanceSubnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60011"],
        };
      }),
      [["warn", "single-az", "spot", null]],
    ],
    ["Spot Fleet: a >20% Graviton type", withFleetTypes(["t4g.large", "m7g.large", "c7g.large", "m6g.large"]), [["warn", "high-interruption", "spot-fleet", "t4g.large"]]],
    [
      "Spot Fleet: one type",
      withFleetTypes(["m7g.large"]),
      [
        ["warn", "few-instance-types", "spot-fleet", null],
        ["warn", "single-family", "spot-fleet", null],
      ],
    ],
  ])("%s", (_name, input, expected) => {
    expect(summary(input)).toEqual(expected);
  });

  test("the on-demand pool is never advised on, whatever its types", () => {
    const input: any = withSpotTypes(["m6i.large", "m6a.large", "c6i.large", "c6i.xlarge"]);
    input.capacity.onDemand.instanceTypes = ["m5.large"];
    expect(advise(input)).toEqual([]);
  });

  test("a warning names the environment, the pool, the type and safer types of the same size and architecture", () => {
    const [warning] = advise(withSpotTypes(["m6a.large", "c6i.xlarge", "r6i.large", "m5.large"]));
    expect(warning.message).toBe(
      '[test] Spot pool spot (capacity.spot, acme-api-spot-test): m5.large is in the ">20%" interruption bucket in eu-west-1 ' +
        '(Spot Instance Advisor, 2026-01-02). Replace it with a "<5%" type of the same size and architecture, e.g. m6i.large, c6i.large.',
    );
  });

  test("a Spot Fleet warning says to weight the replacements", () => {
    const [warning] = advise(withFleetTypes(["t4g.large", "m7g.large", "c7g.large", "m6g.large"]));
    expect(warning.message).toContain("[staging] Spot pool spot-fleet (capacity.spotFleet, acme-api-spot-fleet-staging): t4g.large");
    expect(warning.message).toContain("with a weightedCapacity in proportion to their vCPU");
  });

  test.each<[string, () => EnvironmentInput, RegExp, RegExp]>([
    ["a Spot Fleet: its replacement terminates every instance at once, so move the load first", () => withFleetTypes(["t4g.large", "m7g.large", "c7g.large", "m6g.large"]), /REPLACES the Spot Fleet request.*ALL its instances are terminated at once/, /raise capacity\.onDemand.*DRAINING.*then apply/],
    ["an ASG: in place, instances replaced gradually", () => withSpotTypes(["m6a.large", "c6i.xlarge", "r6i.large", "m5.large"]), /in place \(no replacement\)/, /managed draining moves their tasks first/],
  ])("says what applying the advice costs for %s", (_case, input, cost, howTo) => {
    const [warning] = advise(input());
    expect(warning.whenApplied).toMatch(cost);
    expect(warning.whenApplied).toMatch(howTo);
    // The synth warning carries it too.
    expect(spotPoolWarnings(parseEnvironmentConfig(input()), dataset)[0]).toContain(warning.whenApplied);
  });

  test("too few types: suggests enough <5% types to reach four", () => {
    const [warning] = advise(withSpotTypes(["m7i.large", "m6i.large"]));
    expect(warning.message).toContain("lists 2 instance type(s) (m7i.large, m6i.large); Spot needs at least 4");
    expect(warning.message).toContain("Add e.g. m6a.large, c6i.large.");
  });
});

describe("acknowledging advice in capacity.spotAdvice", () => {
  const risky = ["m6a.large", "c6i.xlarge", "r6i.large", "m5.large"];

  test.each([
    ["the rule and the type", { rule: "high-interruption", type: "m5.large", reason: "batch pool, interruptions are fine" }],
    ["the rule for every type", { rule: "high-interruption", reason: "batch pool, interruptions are fine" }],
  ])("by %s: the advice becomes info with the reason, and synthesis no longer warns", (_name, acknowledgement) => {
    const input = withSpotTypes(risky, (candidate) => (candidate.capacity.spotAdvice = { acknowledge: [acknowledgement] }));
    expect(advise(input)).toEqual([
      expect.objectContaining({ level: "info", rule: "high-interruption", type: "m5.large", acknowledged: "batch pool, interruptions are fine" }),
    ]);
    expect(spotPoolWarnings(parseEnvironmentConfig(input), dataset)).toEqual([]);
  });

  test("an acknowledgement of another type leaves the warning and is reported as matching nothing", () => {
    const input = withSpotTypes(risky, (candidate) => (candidate.capacity.spotAdvice = { acknowledge: [{ rule: "high-interruption", type: "r6i.large", reason: "x" }] }));
    expect(summary(input)).toEqual([
      ["warn", "high-interruption", "spot", "m5.large"],
      ["info", "high-interruption", "capacity.spotAdvice", "r6i.large"],
    ]);
    expect(advise(input)[1].message).toBe("[test] capacity.spotAdvice.acknowledge.0 (high-interruption, r6i.large) matches no advice any more: remove it.");
  });

  test("synth warnings are the unacknowledged advice, prefixed with the rule", () => {
    expect(spotPoolWarnings(parseEnvironmentConfig(withSpotTypes(["m7i.large", "m6i.large"])), dataset)).toEqual([
      expect.stringMatching(/^spot advice \(few-instance-types\): \[test\] Spot pool spot /),
    ]);
  });

  test.each([
    [{ rule: "cheap-types", reason: "x" }, /^capacity\.spotAdvice\.acknowledge\.0\.rule: /],
    [{ rule: "single-az", reason: "  " }, /^capacity\.spotAdvice\.acknowledge\.0\.reason: must say why the advice does not apply \(got "  "\)$/],
    [{ rule: "high-interruption", type: "huge", reason: "x" }, /^capacity\.spotAdvice\.acknowledge\.0\.type: must be an EC2 instance type/],
  ])("config validation refuses %j", (acknowledgement, problem) => {
    const input: any = minimalInput();
    input.capacity.spotAdvice = { acknowledge: [acknowledgement] };
    expect(configProblems(input)).toEqual([expect.stringMatching(problem)]);
  });
});

describe("helpers", () => {
  test.each([
    ["m7g.large", "m7"],
    ["m6i.large", "m6"],
    ["m6a.xlarge", "m6"],
    ["c6gn.medium", "c6"],
    ["t4g.large", "t4"],
    ["u-6tb1.metal", "u-6tb1"],
  ])("familyGeneration(%s) = %s", (type, expected) => {
    expect(familyGeneration(type)).toBe(expected);
  });

  test.each([
    ["m5.large", [], ["m6i.large", "m6a.large", "c6i.large"]],
    ["m5.large", ["m6i.large"], ["m6a.large", "c6i.large"]],
    ["t4g.large", [], ["m7g.large", "c7g.large"]],
    ["c6i.xlarge", [], []],
    ["m8i.large", [], []],
  ])("saferAlternatives(%s, excluding %j) = %j: <5%, c/m/r, same vCPU and architecture, no metal", (type, exclude, expected) => {
    expect(saferAlternatives(dataset, "eu-west-1", type, { exclude })).toEqual(expected);
  });

  test("saferAlternatives can require other family-generations", () => {
    expect(saferAlternatives(dataset, "eu-west-1", "m6i.large", { exclude: ["m6i.large"], otherFamiliesThan: ["m6"] })).toEqual(["c6i.large"]);
  });
});
