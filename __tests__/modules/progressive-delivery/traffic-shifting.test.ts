import { describe, expect, test } from "vitest";
import { EcsService, type EcsServiceProps } from "../../../modules/services/ecs-service";
import type { TrafficShiftingProps } from "../../../modules/progressive-delivery/traffic-shifting";
import { referencedResourceAddress } from "../../support/references";
import { webServiceProps } from "../../support/service-props";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

/** The module's web service without the parts traffic shifting does not touch, on Spot only, one host. */
const webProps: EcsServiceProps = {
  ...webServiceProps,
  containerHealthCheck: undefined,
  environment: undefined,
  secrets: undefined,
  repositoryCredentialsSecretArn: undefined,
  capacityProviderStrategy: [{ capacityProvider: "spot", weight: 1 }],
  routing: { ...webServiceProps.routing!, hostHeaders: ["api.example.com"], slowStartSeconds: 0 },
};
const taskNetwork = { subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: ["sg-0tasks"] };
const roles = { infrastructureRoleName: "acme-api-api-ecs-lb-test", hookRoleName: "acme-api-api-ecs-hooks-test" };
const HOOK = "arn:aws:lambda:eu-west-1:123456789012:function:verify";

function synth(trafficShifting?: TrafficShiftingProps, network = taskNetwork): Synthesized {
  return synthConstructs((scope) => new EcsService(scope, "api", { ...webProps, taskNetwork: network, trafficShifting }));
}
const groupAddresses = (json: Synthesized) => Object.keys(json.resource?.aws_lb_target_group ?? {}).map((id) => `aws_lb_target_group.${id}`);
const rules = (json: Synthesized) => resourcesOfType(json, "aws_lb_listener_rule");
const productionRule = (json: Synthesized) => rules(json).find((rule) => rule.priority === 110)!;

describe("traffic-shifting web service", () => {
  test.each<[string, TrafficShiftingProps, Record<string, unknown>]>([
    [
      "canary",
      { ...roles, strategy: "CANARY", bakeMinutes: 15, canary: { percent: 5, bakeMinutes: 20 } },
      { strategy: "CANARY", bake_time_in_minutes: "15", canary_configuration: { canary_percent: 5, canary_bake_time_in_minutes: "20" } },
    ],
    [
      "linear",
      { ...roles, strategy: "LINEAR", bakeMinutes: 0, linear: { stepPercent: 25, stepBakeMinutes: 4 } },
      { strategy: "LINEAR", bake_time_in_minutes: "0", linear_configuration: { step_percent: 25, step_bake_time_in_minutes: "4" } },
    ],
    ["blue/green", { ...roles, strategy: "BLUE_GREEN", bakeMinutes: 30 }, { strategy: "BLUE_GREEN", bake_time_in_minutes: "30" }],
  ])("GIVEN a %s service WHEN synthesized THEN its deployment configuration sets every field of the strategy, bake times as strings", (_name, shifting, expected) => {
    const service = soleResource(synth(shifting), "aws_ecs_service");
    expect(service.deployment_configuration).toEqual(expected);
  });

  test("GIVEN a canary WHEN synthesized THEN a second target group like the first, both behind a weighted production rule Terraform leaves to ECS", () => {
    const json = synth({ ...roles, strategy: "CANARY", bakeMinutes: 10, canary: { percent: 10, bakeMinutes: 10 } });
    const groups = resourcesOfType(json, "aws_lb_target_group");
    expect(groups).toHaveLength(2);
    // Same port, protocol, VPC, health check and name prefix: ECS alternates between them.
    expect(groups[0]).toEqual(groups[1]);
    expect(groups[0]).toMatchObject({ target_type: "ip", name_prefix: "api-", lifecycle: { create_before_destroy: true } });
    const rule = productionRule(json);
    expect(rule.action).toEqual([{ type: "forward", forward: { target_group: [{ arn: expect.any(String), weight: 100 }, { arn: expect.any(String), weight: 0 }] } }]);
    const [primary, alternate] = rule.action[0].forward.target_group.map((group: { arn: string }) => referencedResourceAddress(group.arn));
    expect([primary, alternate].sort()).toEqual(groupAddresses(json).sort());
    expect(rule.lifecycle).toEqual({ ignore_changes: ["action"] });
    const service = soleResource(json, "aws_ecs_service");
    expect(referencedResourceAddress(service.load_balancer[0].target_group_arn)).toBe(primary);
    expect(referencedResourceAddress(service.load_balancer[0].advanced_configuration.alternate_target_group_arn)).toBe(alternate);
    expect(service.load_balancer[0].advanced_configuration.test_listener_rule).toBeUndefined();
    expect(service.lifecycle.ignore_changes).toEqual(["desired_count", "task_definition", "load_balancer"]);
    expect(service.network_configuration).toEqual({ subnets: ["subnet-0a", "subnet-0b"], security_groups: ["sg-0tasks"], assign_public_ip: false });
    // ECS may not use its roles before their policies exist.
    expect(service.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\..*infrastructure-role/)]));
  });

  test("GIVEN test traffic WHEN synthesized THEN the test rule matches the production rule's conditions plus the header, one priority before it", () => {
    const json = synth({ ...roles, strategy: "BLUE_GREEN", bakeMinutes: 10, testTraffic: { header: "X-Deployment-Test", value: "green", priority: 109 } });
    const test = rules(json).find((rule) => rule.priority === 109)!;
    const production = productionRule(json);
    expect(test.condition).toEqual([...production.condition, { http_header: { http_header_name: "X-Deployment-Test", values: ["green"] } }]);
    expect(test.action).toEqual(production.action);
    expect(test.lifecycle).toEqual({ ignore_changes: ["action"] });
    const advanced = soleResource(json, "aws_ecs_service").load_balancer[0].advanced_configuration;
    expect(referencedResourceAddress(advanced.test_listener_rule)).toMatch(/^aws_lb_listener_rule\..*test-listener-rule/);
    expect(referencedResourceAddress(advanced.production_listener_rule)).toMatch(/^aws_lb_listener_rule\.api_listener-rule_/);
  });

  test("GIVEN hooks WHEN synthesized THEN each is registered with its stages and details, invoked by a role that may call exactly those functions", () => {
    const json = synth({
      ...roles,
      strategy: "BLUE_GREEN",
      bakeMinutes: 10,
      hooks: [
        { functionArn: HOOK, stages: ["POST_TEST_TRAFFIC_SHIFT"], details: { path: "/health" } },
        { functionArn: HOOK, stages: ["POST_PRODUCTION_TRAFFIC_SHIFT"] },
      ],
    });
    const hooks = soleResource(json, "aws_ecs_service").deployment_configuration.lifecycle_hook;
    expect(hooks).toEqual([
      { hook_target_arn: HOOK, role_arn: expect.stringMatching(/hook-role/), lifecycle_stages: ["POST_TEST_TRAFFIC_SHIFT"], hook_details: '{"path":"/health"}' },
      { hook_target_arn: HOOK, role_arn: expect.stringMatching(/hook-role/), lifecycle_stages: ["POST_PRODUCTION_TRAFFIC_SHIFT"] },
    ]);
    expect(resourcesOfType(json, "aws_iam_role").map((role) => role.name).sort()).toEqual(["acme-api-api-ecs-hooks-test", "acme-api-api-ecs-lb-test", "acme-api-api-execution-test", "acme-api-api-task-test"]);
  });

  test("GIVEN no hooks WHEN synthesized THEN no hook role and no lifecycle_hook block", () => {
    const json = synth({ ...roles, strategy: "BLUE_GREEN", bakeMinutes: 10 });
    expect(resourcesOfType(json, "aws_iam_role").map((role) => role.name)).not.toContain("acme-api-api-ecs-hooks-test");
    expect(soleResource(json, "aws_ecs_service").deployment_configuration.lifecycle_hook).toBeUndefined();
  });

  test("GIVEN traffic shifting without awsvpc WHEN constructed THEN it is refused", () => {
    expect(() => synthConstructs((scope) => new EcsService(scope, "api", { ...webProps, trafficShifting: { ...roles, strategy: "BLUE_GREEN", bakeMinutes: 10 } }))).toThrow(
      "service api: traffic shifting needs a web service with a taskNetwork (awsvpc)",
    );
  });

  test("GIVEN awsvpc without traffic shifting WHEN synthesized THEN ip targets and a network configuration, but one target group and a plain rule", () => {
    const json = synth(undefined);
    expect(resourcesOfType(json, "aws_lb_target_group").map((group) => group.target_type)).toEqual(["ip"]);
    expect(productionRule(json).lifecycle).toBeUndefined();
    const service = soleResource(json, "aws_ecs_service");
    expect(service.deployment_configuration).toBeUndefined();
    expect(service.network_configuration.security_groups).toEqual(["sg-0tasks"]);
    const taskDefinitions = resourcesOfType(json, "aws_ecs_task_definition");
    expect(taskDefinitions.length).toBeGreaterThan(0);
    for (const taskDefinition of taskDefinitions) {
      expect(JSON.parse(taskDefinition.container_definitions)[0].portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
      expect(taskDefinition.network_mode).toBe("awsvpc");
    }
  });
});
