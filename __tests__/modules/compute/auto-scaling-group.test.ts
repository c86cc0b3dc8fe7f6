import { describe, expect, test } from "vitest";
import { EcsAutoScalingGroup, type EcsAutoScalingGroupProps } from "../../../modules/compute/auto-scaling-group";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const BASE: EcsAutoScalingGroupProps = {
  name: "acme-api-spot-production",
  launchTemplateId: "lt-0123456789abcdef0",
  launchTemplateVersion: "3",
  subnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
  instanceTypes: ["m7i.large", "m6i.large"],
  minSize: 0,
  maxSize: 30,
  ecsManaged: true,
};

function synthGroup(props: Partial<EcsAutoScalingGroupProps> = {}): Record<string, any> {
  return soleResource(
    synthConstructs((scope) => new EcsAutoScalingGroup(scope, "group", { ...BASE, ...props })),
    "aws_autoscaling_group",
  );
}

describe("EcsAutoScalingGroup", () => {
  test("a Spot group uses a mixed instances policy with the distribution, types and template version", () => {
    // GIVEN a Spot distribution
    const group = synthGroup({
      spot: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 10, allocationStrategy: "price-capacity-optimized", capacityRebalance: true },
    });
    // THEN
    expect(group.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_allocation_strategy: "prioritized",
      on_demand_base_capacity: 1,
      on_demand_percentage_above_base_capacity: 10,
      spot_allocation_strategy: "price-capacity-optimized",
    });
    expect(group.mixed_instances_policy.launch_template).toEqual({
      launch_template_specification: { launch_template_id: "lt-0123456789abcdef0", version: "3" },
      override: [{ instance_type: "m7i.large" }, { instance_type: "m6i.large" }],
    });
    expect(group.capacity_rebalance).toBe(true);
    expect(group.vpc_zone_identifier).toEqual(BASE.subnetIds);
  });

  test("an on-demand group is 100 % on-demand in preference order, without capacity rebalance", () => {
    // GIVEN no Spot distribution WHEN synthesized
    const group = synthGroup();
    // THEN
    expect(group.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_allocation_strategy: "prioritized",
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 100,
    });
    expect(group.capacity_rebalance).toBe(false);
  });

  test("leaves desired capacity to the autoscalers and deletes without waiting for protected instances", () => {
    // GIVEN an initial size WHEN synthesized
    const group = synthGroup({ desiredCapacity: 2, healthCheckGracePeriodSeconds: 300 });
    // THEN
    expect(group.lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    expect(group.desired_capacity).toBe(2);
    expect(group.force_delete).toBe(true);
    expect(group.health_check_grace_period).toBe(300);
    expect(group.health_check_type).toBe("EC2");
    expect(group.termination_policies).toEqual(["OldestLaunchTemplate", "AllocationStrategy", "OldestInstance"]);
  });

  test.each([
    [true, true, [{ key: "AmazonECSManaged", value: "true", propagate_at_launch: true }]],
    [false, false, []],
  ])("ecsManaged %s: protect from scale-in %s, managed tag declared", (ecsManaged, protect, managedTag) => {
    // GIVEN instance tags WHEN synthesized
    const group = synthGroup({ ecsManaged, tags: { Name: "acme-api-spot-production", service: "acme-api", role: "ecs-spot", env: "production" } });
    // THEN the tags propagate at launch and the ECS tag is declared only for capacity-provider groups
    expect(group.protect_from_scale_in).toBe(protect);
    expect(group.tag).toEqual([
      { key: "Name", value: "acme-api-spot-production", propagate_at_launch: true },
      { key: "service", value: "acme-api", propagate_at_launch: true },
      { key: "role", value: "ecs-spot", propagate_at_launch: true },
      { key: "env", value: "production", propagate_at_launch: true },
      ...managedTag,
    ]);
  });

  test.each([
    [undefined, { min_healthy_percentage: 90, skip_matching: true, scale_in_protected_instances: "Refresh", standby_instances: "Terminate" }],
    [
      { minHealthyPercentage: 80, checkpointPercentages: [20, 100], checkpointDelaySeconds: 300 },
      {
        min_healthy_percentage: 80,
        skip_matching: true,
        scale_in_protected_instances: "Refresh",
        standby_instances: "Terminate",
        checkpoint_percentages: [20, 100],
        checkpoint_delay: "300",
      },
    ],
  ])("instance refresh %j rolls protected instances too", (instanceRefresh, preferences) => {
    // GIVEN refresh settings WHEN synthesized THEN a rolling refresh that replaces protected instances
    expect(synthGroup({ instanceRefresh }).instance_refresh).toEqual({ strategy: "Rolling", preferences });
  });

  test("refuses capacity rebalance without ECS managed draining", () => {
    // GIVEN capacity rebalance on a group that backs no capacity provider WHEN built THEN it throws
    expect(() =>
      synthGroup({
        ecsManaged: false,
        spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 0, allocationStrategy: "price-capacity-optimized", capacityRebalance: true },
      }),
    ).toThrow(/managed draining/);
  });

  test("refuses an empty instance type list", () => {
    expect(() => synthGroup({ instanceTypes: [] })).toThrow(/instanceTypes/);
  });
});

describe("EcsAutoScalingGroup termination hook", () => {
  const unmanaged = { ...BASE, name: "acme-api-on-demand-staging", ecsManaged: false };

  test("GIVEN terminationHook on an unmanaged group WHEN synthesized THEN a separate CONTINUE hook on TERMINATING holds its instances", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => {
      const group = new EcsAutoScalingGroup(scope, "group", { ...unmanaged, terminationHook: { name: "acme-api-drain-staging", heartbeatTimeoutSeconds: 600 } });
      expect(group.terminationHookName).toEqual(expect.any(String));
    });
    // THEN
    expect(soleResource(json, "aws_autoscaling_lifecycle_hook")).toEqual({
      name: "acme-api-drain-staging",
      autoscaling_group_name: expect.stringMatching(/^\$\{aws_autoscaling_group\.[\w-]+\.name\}$/),
      lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      default_result: "CONTINUE",
      heartbeat_timeout: 600,
    });
    // No initial_lifecycle_hook: the separate resource covers instances launched before it.
    expect(soleResource(json, "aws_autoscaling_group").initial_lifecycle_hook).toBeUndefined();
  });

  test("GIVEN no terminationHook WHEN synthesized THEN there is no hook", () => {
    const json = synthConstructs((scope) => new EcsAutoScalingGroup(scope, "group", unmanaged));
    expect(resourcesOfType(json, "aws_autoscaling_lifecycle_hook")).toEqual([]);
  });

  test("GIVEN terminationHook on an ECS-managed group WHEN built THEN it fails: managed draining has its own hook", () => {
    expect(() =>
      synthConstructs((scope) => new EcsAutoScalingGroup(scope, "group", { ...BASE, terminationHook: { name: "drain", heartbeatTimeoutSeconds: 600 } })),
    ).toThrow("terminationHook is for groups without managed draining");
  });
});

