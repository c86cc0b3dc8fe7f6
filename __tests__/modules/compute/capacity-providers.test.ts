import { describe, expect, test } from "vitest";
import { CapacityProviders, type CapacityProvidersProps } from "../../../modules/compute/capacity-providers";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const PROPS: CapacityProvidersProps = {
  clusterName: "acme-api-production",
  onDemand: { name: "acme-api-on-demand-production", autoScalingGroupArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/od" },
  spot: { name: "acme-api-spot-production", autoScalingGroupArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:2:autoScalingGroupName/spot" },
  managedScaling: { targetCapacityPercent: 85, minimumScalingStepSize: 1, maximumScalingStepSize: 6, instanceWarmupPeriodSeconds: 180 },
  defaultStrategy: { onDemandBase: 2, onDemandWeight: 1, spotWeight: 4 },
};

describe("CapacityProviders", () => {
  test("each provider takes its ASG's ARN with managed scaling, termination protection and draining", () => {
    // GIVEN two pools WHEN synthesized
    const providers = resourcesOfType(synthConstructs((scope) => new CapacityProviders(scope, "cp", PROPS)), "aws_ecs_capacity_provider");
    // THEN
    expect(providers.map((provider) => [provider.name, provider.auto_scaling_group_provider.auto_scaling_group_arn])).toEqual([
      [PROPS.onDemand.name, PROPS.onDemand.autoScalingGroupArn],
      [PROPS.spot.name, PROPS.spot.autoScalingGroupArn],
    ]);
    for (const provider of providers) {
      expect(provider.cluster).toBeUndefined();
      expect(provider.auto_scaling_group_provider).toMatchObject({
        managed_termination_protection: "ENABLED",
        managed_draining: "ENABLED",
        managed_scaling: { status: "ENABLED", target_capacity: 85, minimum_scaling_step_size: 1, maximum_scaling_step_size: 6, instance_warmup_period: 180 },
      });
    }
  });

  test("one cluster association lists both providers with base on on-demand and 1:4 weights", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new CapacityProviders(scope, "cp", PROPS));
    const association = soleResource(json, "aws_ecs_cluster_capacity_providers");
    // THEN providers are referenced, not named, so the association is created after and destroyed before them
    expect(association.cluster_name).toBe("acme-api-production");
    expect(association.capacity_providers).toEqual([
      expect.stringMatching(/^\$\{aws_ecs_capacity_provider\.cp_on-demand_\w+\.name\}$/),
      expect.stringMatching(/^\$\{aws_ecs_capacity_provider\.cp_spot_\w+\.name\}$/),
    ]);
    expect(association.default_capacity_provider_strategy).toEqual([
      { capacity_provider: association.capacity_providers[0], weight: 1, base: 2 },
      { capacity_provider: association.capacity_providers[1], weight: 4, base: 0 },
    ]);
  });

  test.each([
    ["default", [["on-demand", 1, 2], ["spot", 4, 0]]],
    ["on-demand", [["on-demand", 1, 0]]],
    ["spot", [["spot", 1, 0]]],
  ] as const)("the %s pool strategy", (pool, expected) => {
    // GIVEN providers WHEN asked for a pool's strategy
    let strategy: Array<{ capacityProvider: string; weight: number; base: number }> = [];
    let names: Record<string, string> = {};
    synthConstructs((scope) => {
      const providers = new CapacityProviders(scope, "cp", PROPS);
      strategy = providers.strategy(pool);
      names = { "on-demand": providers.onDemandName, spot: providers.spotName };
    });
    // THEN
    expect(strategy).toEqual(expected.map(([key, weight, base]) => ({ capacityProvider: names[key], weight, base })));
  });

  test.each(["ecs-api", "aws-api", "FARGATE-api"])("refuses the reserved provider name prefix in %s", (name) => {
    expect(() => synthConstructs((scope) => new CapacityProviders(scope, "cp", { ...PROPS, spot: { ...PROPS.spot, name } }))).toThrow(/may not start with/);
  });

  test("refuses weights that are both 0", () => {
    expect(() =>
      synthConstructs((scope) => new CapacityProviders(scope, "cp", { ...PROPS, defaultStrategy: { onDemandBase: 1, onDemandWeight: 0, spotWeight: 0 } })),
    ).toThrow(/cannot both be 0/);
  });
});
