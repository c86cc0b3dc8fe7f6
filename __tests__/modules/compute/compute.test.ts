import { TerraformResource } from "cdktf";
import { describe, expect, test } from "vitest";
import { Compute, computeNames, type ComputeProps } from "../../../modules/compute/compute";
import { Naming } from "../../../modules/platform/naming";
import { parseEnvironmentConfig } from "../../../stacks/config";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, synthEnvironment, synthExample } from "../../support/synth";
import { EXAMPLES, type ExampleName } from "../../support/examples";

const decode = (base64: string): string[] => Buffer.from(base64, "base64").toString("utf8").split("\n");
const ref = (type: string, attribute: string) => new RegExp(`^\\$\\{${type}\\.[\\w-]+\\.${attribute}\\}$`);
const byName = (resources: Array<Record<string, any>>, name: string) => {
  const found = resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
};

/** Compute alone, from a shipped environment's capacity, with props overridden. */
function buildCompute(environment: ExampleName, overrides: Partial<ComputeProps> = {}) {
  const config = parseEnvironmentConfig(EXAMPLES[environment]);
  let compute: Compute | undefined;
  const json = synthConstructs((scope) => {
    compute = new Compute(scope, "compute", {
      ...config.capacity,
      names: computeNames(new Naming(config.project, config.environment)),
      partition: "aws",
      vpcId: "vpc-0a1b2c3d4e5f60718",
      subnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
      instanceTags: { service: config.project, env: config.environment },
      ...overrides,
    });
  });
  return { json, compute: compute as Compute };
}

describe("Compute in capacity-providers mode (production)", () => {
  const { json, stack } = synthExample("production");
  const groups = resourcesOfType(json, "aws_autoscaling_group");
  const templates = resourcesOfType(json, "aws_launch_template");

  test("the cluster has Container Insights and its name is in every launch template's user data", () => {
    // GIVEN production WHEN synthesized THEN
    expect(soleResource(json, "aws_ecs_cluster")).toMatchObject({ name: "acme-api-production", setting: [{ name: "containerInsights", value: "enabled" }] });
    expect(templates.map((template) => template.name)).toEqual(["acme-api-on-demand-production", "acme-api-spot-production"]);
    for (const template of templates) {
      const lines = decode(template.user_data);
      expect(lines).toEqual(expect.arrayContaining(["ECS_CLUSTER=acme-api-production", "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true", "ECS_CONTAINER_STOP_TIMEOUT=30s"]));
      expect(template.monitoring).toEqual({ enabled: true });
      expect(template.network_interfaces[0].associate_public_ip_address).toBe("false");
      expect(template.image_id).toMatch(ref("data.aws_ssm_parameter", "insecure_value"));
      // Instances register at boot: cluster and role policies exist first and are destroyed last.
      expect(template.depends_on).toEqual([
        expect.stringMatching(/^aws_ecs_cluster\./),
        expect.stringMatching(/^aws_iam_role_policy_attachment\..*AmazonEC2ContainerServiceforEC2Role/),
        expect.stringMatching(/^aws_iam_role_policy_attachment\..*AmazonSSMManagedInstanceCore/),
      ]);
    }
    expect(dataSourcesOfType(json, "aws_ssm_parameter")).toEqual([
      expect.objectContaining({ name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }),
    ]);
  });

  test("two ASGs backing capacity providers: protected, ECS-managed tag, desired capacity ignored, force delete", () => {
    // GIVEN production WHEN synthesized THEN
    expect(groups.map((group) => group.name)).toEqual(["acme-api-on-demand-production", "acme-api-spot-production"]);
    for (const group of groups) {
      expect(group).toMatchObject({ protect_from_scale_in: true, force_delete: true, health_check_grace_period: 120 });
      expect(group.lifecycle.ignore_changes[0]).toBe("desired_capacity");
      expect(group.tag).toContainEqual({ key: "AmazonECSManaged", value: "true", propagate_at_launch: true });
      expect(group.vpc_zone_identifier).toEqual(EXAMPLES.production.network.mode === "existing" ? EXAMPLES.production.network.instanceSubnetIds : []);
      expect(group.mixed_instances_policy.launch_template.launch_template_specification.version).toMatch(ref("aws_launch_template", "latest_version"));
      expect(group.instance_refresh.preferences).toMatchObject({ min_healthy_percentage: 90, checkpoint_percentages: [20, 100], scale_in_protected_instances: "Refresh" });
    }
    const spot = byName(groups, "acme-api-spot-production");
    expect(spot.capacity_rebalance).toBe(true);
    expect(spot.max_size).toBe(30);
    expect(spot.mixed_instances_policy.instances_distribution).toMatchObject({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: "price-capacity-optimized",
    });
    expect(spot.mixed_instances_policy.launch_template.override).toHaveLength(6);
    expect(spot.tag).toEqual(
      expect.arrayContaining([
        { key: "Name", value: "acme-api-spot-production", propagate_at_launch: true },
        { key: "service", value: "acme-api", propagate_at_launch: true },
        { key: "role", value: "ecs-spot", propagate_at_launch: true },
        { key: "env", value: "production", propagate_at_launch: true },
      ]),
    );
    const onDemand = byName(groups, "acme-api-on-demand-production");
    expect(onDemand).toMatchObject({ min_size: 1, max_size: 6, capacity_rebalance: false });
    expect(onDemand.mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity).toBe(100);
  });

  test("capacity providers take the ASG ARNs; the cluster default is base 2 on on-demand, then 1:4", () => {
    // GIVEN production WHEN synthesized THEN
    const providers = resourcesOfType(json, "aws_ecs_capacity_provider");
    expect(providers.map((provider) => provider.auto_scaling_group_provider.auto_scaling_group_arn)).toEqual([
      expect.stringMatching(ref("aws_autoscaling_group", "arn")),
      expect.stringMatching(ref("aws_autoscaling_group", "arn")),
    ]);
    for (const provider of providers) {
      expect(provider.auto_scaling_group_provider.managed_scaling).toMatchObject({ target_capacity: 85, maximum_scaling_step_size: 6, instance_warmup_period: 180 });
    }
    const association = soleResource(json, "aws_ecs_cluster_capacity_providers");
    expect(association.default_capacity_provider_strategy.map(({ weight, base }: { weight: number; base: number }) => [weight, base])).toEqual([
      [1, 2],
      [4, 0],
    ]);
    expect(association.depends_on).toEqual([expect.stringMatching(/^aws_ecs_cluster\./)]);
    expect(resourcesOfType(json, "aws_spot_fleet_request")).toEqual([]);
  });

  test("the instance role has only the ECS-for-EC2 and SSM core policies; the security group only egress", () => {
    // GIVEN production WHEN synthesized THEN
    // (the stack also holds the services' roles and the load balancer's group: pick compute's own)
    const role = resourcesOfType(json, "aws_iam_role").find((candidate) => candidate.name === "acme-api-ecs-instance-production");
    expect(role).toBeDefined();
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn.split("policy/")[1])).toEqual([
      "service-role/AmazonEC2ContainerServiceforEC2Role",
      "AmazonSSMManagedInstanceCore",
    ]);
    expect(soleResource(json, "aws_iam_instance_profile").role).toMatch(ref("aws_iam_role", "name"));
    const groups = resourcesOfType(json, "aws_security_group").filter((candidate) => candidate.name_prefix === undefined);
    expect(groups).toHaveLength(1);
    expect(groups[0].ingress).toBeUndefined();
    expect(groups[0].egress).toBeUndefined();
    const groupId = `\${aws_security_group.${Object.entries(json.resource?.aws_security_group ?? {}).find(([, candidate]) => candidate === groups[0])?.[0]}.id}`;
    const egress = resourcesOfType(json, "aws_vpc_security_group_egress_rule").filter((rule) => rule.security_group_id === groupId);
    expect(egress).toEqual([expect.objectContaining({ ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" })]);
    // Ingress comes only from the load balancer's group, never from an address range.
    const ingress = resourcesOfType(json, "aws_vpc_security_group_ingress_rule").filter((rule) => rule.security_group_id === groupId);
    expect(ingress.map((rule) => rule.cidr_ipv4 ?? rule.referenced_security_group_id)).toEqual([expect.stringMatching(/^\$\{aws_security_group\./)]);
  });

  test("exposes capacity provider strategies, pools and the teardown dependency", () => {
    // GIVEN the stack's compute construct
    const compute = stack.compute;
    // THEN
    expect(compute.usesEc2LaunchType).toBe(false);
    expect(compute.spotFleetRequestId).toBeUndefined();
    expect(compute.capacityProviderStrategy("default")).toEqual([
      { capacityProvider: compute.capacityProviderNames!.onDemand, weight: 1, base: 2 },
      { capacityProvider: compute.capacityProviderNames!.spot, weight: 4, base: 0 },
    ]);
    expect(compute.capacityProviderStrategy("on-demand")).toEqual([{ capacityProvider: compute.capacityProviderNames!.onDemand, weight: 1, base: 0 }]);
    expect(compute.capacityProviderStrategy("spot")).toEqual([{ capacityProvider: compute.capacityProviderNames!.spot, weight: 1, base: 0 }]);
    expect((compute.capacityReady as TerraformResource).terraformResourceType).toBe("aws_ecs_cluster_capacity_providers");
    expect(Object.keys(compute.launchTemplateIds)).toEqual(["onDemand", "spot"]);
    expect(compute.pools.map((pool) => [pool.name, pool.architecture])).toEqual([
      ["on-demand", "x86_64"],
      ["spot", "x86_64"],
    ]);
    expect(compute.autoScalingGroupNames).toHaveLength(2);
    expect(compute.clusterName).toBe("acme-api-production");
  });

  test("stack outputs name the cluster, providers and ASGs", () => {
    expect(Object.keys(json.output ?? {})).toEqual(
      expect.arrayContaining(["cluster_name", "cluster_arn", "capacity_provider_names", "autoscaling_group_names"]),
    );
    expect(json.output?.spot_fleet_request_id).toBeUndefined();
  });
});

describe("Compute in spot-fleet mode (staging)", () => {
  const { json, stack } = synthExample("staging");

  test("an unprotected on-demand ASG (size 0) and no capacity providers", () => {
    // GIVEN staging WHEN synthesized THEN
    const group = soleResource(json, "aws_autoscaling_group");
    expect(group).toMatchObject({ name: "acme-api-on-demand-staging", min_size: 0, max_size: 1, desired_capacity: 0, protect_from_scale_in: false, capacity_rebalance: false });
    expect(group.tag.map((tag: { key: string }) => tag.key)).not.toContain("AmazonECSManaged");
    expect(resourcesOfType(json, "aws_ecs_capacity_provider")).toEqual([]);
    expect(resourcesOfType(json, "aws_ecs_cluster_capacity_providers")).toEqual([]);
  });

  test("both launch templates are arm64, public-IP, Spot-draining, with the configured stop timeout", () => {
    // GIVEN staging WHEN synthesized THEN
    const templates = resourcesOfType(json, "aws_launch_template");
    expect(templates.map((template) => template.name)).toEqual(["acme-api-on-demand-staging", "acme-api-spot-fleet-staging"]);
    for (const template of templates) {
      expect(decode(template.user_data)).toEqual(
        expect.arrayContaining(["ECS_CLUSTER=acme-api-staging", "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true", "ECS_CONTAINER_STOP_TIMEOUT=25s"]),
      );
      expect(template.network_interfaces[0].associate_public_ip_address).toBe("true");
    }
    expect(dataSourcesOfType(json, "aws_ssm_parameter")[0].name).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id");
  });

  test("the Spot Fleet offers every subnet x instance type, weighted, and replaces instances on rebalance recommendations", () => {
    // GIVEN staging's two created subnets and four types WHEN synthesized
    const request = soleResource(json, "aws_spot_fleet_request");
    const overrides = request.launch_template_config[0].overrides as Array<Record<string, unknown>>;
    // THEN
    expect(overrides).toHaveLength(8);
    expect(new Set(overrides.map((override) => override.subnet_id)).size).toBe(2);
    for (const subnet of new Set(overrides.map((override) => override.subnet_id))) {
      expect(subnet).toMatch(ref("aws_subnet", "id"));
      expect(overrides.filter((override) => override.subnet_id === subnet).map((override) => [override.instance_type, override.weighted_capacity])).toEqual([
        ["t4g.medium", 1],
        ["t4g.large", 1],
        ["m7g.large", 1],
        ["c7g.large", 1],
      ]);
    }
    expect(request.launch_template_config[0].launch_template_specification.id).toMatch(ref("aws_launch_template", "id"));
    expect(request).toMatchObject({ target_capacity: 2, lifecycle: { ignore_changes: ["target_capacity"] }, allocation_strategy: "priceCapacityOptimized" });
    // "launch": the drainer drains and terminates the old instance (launch-before-terminate needs a delay the provider cannot send).
    expect(request.spot_maintenance_strategies).toEqual({ capacity_rebalance: { replacement_strategy: "launch" } });
  });

  test("Application Auto Scaling moves the fleet both ways on one signal: the cluster's reservation", () => {
    // GIVEN staging WHEN synthesized THEN
    // (the services' own scaling targets live beside the fleet's)
    const fleetTargets = resourcesOfType(json, "aws_appautoscaling_target").filter((target) => target.service_namespace === "ec2");
    expect(fleetTargets).toHaveLength(1);
    expect(fleetTargets[0]).toMatchObject({
      resource_id: expect.stringMatching(/^spot-fleet-request\/\$\{aws_spot_fleet_request\.[\w-]+\.id\}$/),
      scalable_dimension: "ec2:spot-fleet-request:TargetCapacity",
      min_capacity: 2,
      max_capacity: 8,
    });
    const policies = resourcesOfType(json, "aws_appautoscaling_policy").filter((policy) => /spot-fleet/.test(policy.name));
    expect(policies.map((policy) => policy.policy_type)).toEqual(["StepScaling", "StepScaling"]);
    // One largest instance at the threshold, two from 10 points above it; one smallest instance removed at a time.
    expect(byName(policies, "acme-api-spot-fleet-scale-out-staging").step_scaling_policy_configuration).toMatchObject({
      cooldown: 120,
      step_adjustment: [
        { metric_interval_lower_bound: "0", metric_interval_upper_bound: "10", scaling_adjustment: 1 },
        { metric_interval_lower_bound: "10", scaling_adjustment: 2 },
      ],
    });
    expect(byName(policies, "acme-api-spot-fleet-scale-in-staging").step_scaling_policy_configuration).toMatchObject({
      cooldown: 600,
      step_adjustment: [{ metric_interval_upper_bound: "0", scaling_adjustment: -1 }],
    });
    const alarms = resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter((alarm) => /reservation-(high|low)/.test(alarm.alarm_name));
    expect(alarms.map((alarm) => [alarm.alarm_name, alarm.comparison_operator, alarm.threshold, alarm.evaluation_periods])).toEqual([
      ["acme-api-reservation-low-staging", "LessThanOrEqualToThreshold", 40, 15],
      ["acme-api-reservation-high-staging", "GreaterThanOrEqualToThreshold", 80, 2],
    ]);
    for (const alarm of alarms) {
      expect(alarm.metric_query).toEqual([
        { id: "signal", expression: "MAX([cpu, memory])", label: "Cluster reservation (max of CPU and memory, %)", return_data: true },
        ...["cpu", "memory"].map((id) => ({
          id,
          return_data: false,
          metric: { namespace: "AWS/ECS", metric_name: `${id === "cpu" ? "CPU" : "Memory"}Reservation`, dimensions: { ClusterName: "acme-api-staging" }, stat: "Maximum", period: 60 },
        })),
      ]);
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(ref("aws_appautoscaling_policy", "arn"))]);
    }
  });

  test("services use the EC2 launch type and depend on the fleet", () => {
    // GIVEN the stack's compute construct THEN
    const compute = stack.compute;
    expect(compute.usesEc2LaunchType).toBe(true);
    expect(compute.capacityProviderStrategy("default")).toBeUndefined();
    expect(compute.capacityProviderNames).toBeUndefined();
    expect((compute.capacityReady as TerraformResource).terraformResourceType).toBe("aws_spot_fleet_request");
    expect(Object.keys(compute.launchTemplateIds)).toEqual(["onDemand", "spotFleet"]);
    expect(compute.pools.map((pool) => [pool.name, pool.architecture])).toEqual([["on-demand", "arm64"]]);
    expect(json.output?.spot_fleet_request_id).toBeDefined();
  });
});

describe("Compute with a pinned AMI", () => {
  test("uses the AMI id and skips the SSM lookup", () => {
    // GIVEN production with a pinned AMI
    const input = structuredClone(EXAMPLES.production);
    input.capacity.amiId = "ami-0abc12345def67890";
    // WHEN synthesized
    const { json, stack } = synthEnvironment(input);
    // THEN
    expect(dataSourcesOfType(json, "aws_ssm_parameter")).toEqual([]);
    for (const template of resourcesOfType(json, "aws_launch_template")) expect(template.image_id).toBe("ami-0abc12345def67890");
    expect(stack.compute.pools.map((pool) => pool.pinnedAmiId)).toEqual(["ami-0abc12345def67890", "ami-0abc12345def67890"]);
  });
});

describe("Compute following the SSM parameter at launch", () => {
  const build = (environment: "production" | "staging", overrides: Partial<ComputeProps> = {}) =>
    buildCompute(environment, { followSsmParameter: true, ...overrides });

  test("ASG launch templates name the parameter, so no plan-time lookup is needed", () => {
    // GIVEN production's capacity WHEN built with followSsmParameter
    const { json } = build("production");
    // THEN
    for (const template of resourcesOfType(json, "aws_launch_template")) {
      expect(template.image_id).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
    }
    expect(dataSourcesOfType(json, "aws_ssm_parameter")).toEqual([]);
  });

  test("the Spot Fleet's template keeps the plan-time AMI id (fleets of type maintain refuse resolve:ssm)", () => {
    // GIVEN staging's capacity (arm64, Spot Fleet) WHEN built with followSsmParameter
    const { json } = build("staging");
    // THEN
    const templates = resourcesOfType(json, "aws_launch_template");
    expect(byName(templates, "acme-api-on-demand-staging").image_id).toBe(
      "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    );
    expect(byName(templates, "acme-api-spot-fleet-staging").image_id).toMatch(ref("data.aws_ssm_parameter", "insecure_value"));
    expect(dataSourcesOfType(json, "aws_ssm_parameter")).toEqual([
      expect.objectContaining({ name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id" }),
    ]);
  });

  test("a pinned AMI wins", () => {
    const { json, compute } = build("production", { amiId: "ami-0abc12345def67890" });
    for (const template of resourcesOfType(json, "aws_launch_template")) expect(template.image_id).toBe("ami-0abc12345def67890");
    expect(compute.pools.map((pool) => pool.pinnedAmiId)).toEqual(["ami-0abc12345def67890", "ami-0abc12345def67890"]);
  });

  test("pools carry their ASG's ARN, for permissions scoped to them", () => {
    const { compute } = build("production");
    expect(compute.pools.map((pool) => pool.autoScalingGroupArn)).toEqual(compute.autoScalingGroupArns);
  });
});

describe("Compute drain hooks", () => {
  const build = (environment: "production" | "staging") =>
    buildCompute(environment, { drainHook: { name: "acme-api-drain", heartbeatTimeoutSeconds: 600 } });

  test("spot-fleet mode: the on-demand ASG (no managed draining) gets the hook, exposed with its group", () => {
    // GIVEN staging's capacity WHEN built with a drain hook
    const { json, compute } = build("staging");
    // THEN
    const hook = soleResource(json, "aws_autoscaling_lifecycle_hook");
    expect(hook.autoscaling_group_name).toMatch(ref("aws_autoscaling_group", "name"));
    expect(compute.drainHooks).toEqual([
      {
        hookName: expect.any(String),
        autoScalingGroupName: compute.autoScalingGroupNames[0],
        autoScalingGroupArn: compute.autoScalingGroupArns[0],
        heartbeatTimeoutSeconds: 600,
      },
    ]);
  });

  test("capacity-providers mode: managed draining holds the ASGs, so no hook", () => {
    const { json, compute } = build("production");
    expect(resourcesOfType(json, "aws_autoscaling_lifecycle_hook")).toEqual([]);
    expect(compute.drainHooks).toEqual([]);
  });
});
