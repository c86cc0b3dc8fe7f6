import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SpotFleetRequest, type SpotFleetRequestConfig } from "@cdktf/provider-aws/lib/spot-fleet-request";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { synthWithGuardrails } from "../../support/guardrails";
import { resourcesOfType, synthEnvironment } from "../../support/synth";

const DEFAULT_TAGS = { project: "acme-api", environment: "qa", "managed-by": "cdktf", "cost-center": "platform" };
const SAFE_METADATA = { httpTokens: "required", httpPutResponseHopLimit: 1 };

/** The guardrails' errors for what `build` adds to a stack whose provider has `defaultTags`; "ok" when none. */
const guarded = (defaultTags: Record<string, string> | undefined, build: (stack: TerraformStack) => void) => synthWithGuardrails(build, defaultTags);

const template = (tagSpecifications: Array<{ resourceType: string; tags: Record<string, string> }>) => (stack: TerraformStack) =>
  new LaunchTemplate(stack, "template", { metadataOptions: SAFE_METADATA, tagSpecifications });

describe("launch templates carry the stack's default tags to what ASGs and fleets launch", () => {
  const all = { ...DEFAULT_TAGS, Name: "acme-api-spot-qa" };

  test.each<[string, Record<string, string> | undefined, ReturnType<typeof template>, string]>([
    ["instance and volume tagged with every default tag", DEFAULT_TAGS, template([{ resourceType: "instance", tags: all }, { resourceType: "volume", tags: all }]), "ok"],
    ["a stack without default tags", undefined, template([{ resourceType: "instance", tags: { Name: "x" } }]), "ok"],
    [
      // The finding: Name/service/role/env only, so EC2 and EBS lacked the cost tags.
      "only Name, service, role and env",
      DEFAULT_TAGS,
      template(["instance", "volume"].map((resourceType) => ({ resourceType, tags: { Name: "x", service: "acme-api", role: "ecs-spot", env: "qa" } }))),
      "instance tags lack project, environment, managed-by, cost-center; volume tags lack project, environment, managed-by, cost-center",
    ],
    [
      "volumes without the environment's own tag",
      DEFAULT_TAGS,
      template([{ resourceType: "instance", tags: all }, { resourceType: "volume", tags: { ...all, "cost-center": undefined as unknown as string } }].map((spec) => ({ ...spec, tags: JSON.parse(JSON.stringify(spec.tags)) as Record<string, string> }))),
      "volume tags lack cost-center",
    ],
    ["no volume specification", DEFAULT_TAGS, template([{ resourceType: "instance", tags: all }]), "no tag_specifications for volume"],
  ])("GIVEN %s WHEN synthesized THEN the guardrail answers", (_case, defaultTags, build, expected) => {
    const result = guarded(defaultTags, build);
    if (expected === "ok") expect(result).toBe("ok");
    else expect(result).toContain(`launch templates must tag instances and volumes with the provider's default tags: ${expected}`);
  });

  test.each(Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>)(
    "GIVEN the shipped %s stack THEN instances, volumes and network interfaces of every pool carry its default tags, and its ASGs propagate them",
    (name) => {
      const { json } = synthEnvironment(name);
      const defaults = (json.provider?.aws?.[0]?.default_tags as Array<{ tags: Record<string, string> }>)[0].tags;
      expect(Object.keys(defaults)).toEqual(expect.arrayContaining(["project", "environment", "managed-by", "cost-center"]));
      const templates = resourcesOfType(json, "aws_launch_template");
      expect(templates.length).toBeGreaterThan(0);
      for (const launchTemplate of templates) {
        for (const resourceType of ["instance", "volume", "network-interface"]) {
          const specification = (launchTemplate.tag_specifications as Array<{ resource_type: string; tags: Record<string, string> }>).find(
            (entry) => entry.resource_type === resourceType,
          );
          expect(specification?.tags).toMatchObject(defaults);
        }
      }
      for (const group of resourcesOfType(json, "aws_autoscaling_group")) {
        const propagated = Object.fromEntries((group.tag as Array<{ key: string; value: string; propagate_at_launch: boolean }>).filter((tag) => tag.propagate_at_launch).map((tag) => [tag.key, tag.value]));
        expect(propagated).toMatchObject(defaults);
      }
    },
  );
});

const fleet = (overrides: Partial<SpotFleetRequestConfig>) => (stack: TerraformStack) =>
  new SpotFleetRequest(stack, "fleet", {
    iamFleetRole: "arn:aws:iam::123456789012:role/fleet",
    targetCapacity: 2,
    allocationStrategy: "priceCapacityOptimized",
    launchTemplateConfig: [{ launchTemplateSpecification: { id: "lt-0123456789abcdef0", version: "$Latest" } }],
    ...overrides,
  });
const rebalance = (replacementStrategy: string) => ({ capacityRebalance: { replacementStrategy } });

describe("Spot Fleet capacity rebalance that EC2 accepts and that lowers the risk", () => {
  test.each<[string, Partial<SpotFleetRequestConfig>, string]>([
    ["no capacity rebalance", {}, "ok"],
    ["strategy launch on a maintain fleet with priceCapacityOptimized", { spotMaintenanceStrategies: rebalance("launch") }, "ok"],
    [
      "launch-before-terminate (EC2 requires a termination delay the resource cannot send)",
      { spotMaintenanceStrategies: rebalance("launch-before-terminate") },
      'replacement_strategy is launch-before-terminate, expected "launch"',
    ],
    ["a request fleet (the provider creates nothing)", { spotMaintenanceStrategies: rebalance("launch"), fleetType: "request" }, 'fleet_type is request: capacity rebalance needs "maintain"'],
    [
      "the provider's default allocation (lowestPrice)",
      { spotMaintenanceStrategies: rebalance("launch"), allocationStrategy: undefined },
      "allocation_strategy is lowestPrice: replacements would land in the pool most likely to be interrupted",
    ],
  ])("GIVEN %s WHEN synthesized THEN the guardrail answers", (_case, overrides, expected) => {
    const result = guarded(undefined, fleet(overrides));
    if (expected === "ok") expect(result).toBe("ok");
    else expect(result).toContain(`Spot Fleet capacity rebalance must be one EC2 accepts and that replaces at lower risk: ${expected}`);
  });
});
