import { describe, expect, test } from "vitest";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { EcsService, type EcsServiceProps } from "../../../modules/services/ecs-service";
import { referencedResourceAddress, statementsOf } from "../../support/references";
import { webServiceProps as webProps } from "../../support/service-props";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

/** The released family's task definition (Terraform registers it once; its twin in the config family tracks the config). */
const releasedDefinition = (json: Synthesized): Record<string, any> => {
  const definitions = resourcesOfType(json, "aws_ecs_task_definition");
  expect(definitions.map((definition) => definition.family as string).filter((family) => family.endsWith("_config"))).toHaveLength(1);
  return definitions.find((definition) => !String(definition.family).endsWith("_config")) as Record<string, any>;
};


const daemonProps: EcsServiceProps = {
  ...webProps,
  serviceName: "metrics-agent",
  family: "acme-api-metrics-agent-test",
  kind: "daemon",
  image: "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest",
  containerPort: undefined,
  containerHealthCheck: undefined,
  environment: {},
  secrets: {},
  repositoryCredentialsSecretArn: undefined,
  routing: undefined,
};

const synth = (props: EcsServiceProps): Synthesized => synthConstructs((scope) => new EcsService(scope, "service", props));
const containersOf = (json: Synthesized) => JSON.parse(releasedDefinition(json).container_definitions) as Array<Record<string, any>>;
const roleNamed = (json: Synthesized, name: string) => {
  const role = resourcesOfType(json, "aws_iam_role").find((candidate) => candidate.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role;
};

describe("EcsService (web)", () => {
  const json = synth(webProps);

  test("task definition: EC2, bridge networking, the family given, separate execution and task roles", () => {
    const taskDefinition = releasedDefinition(json);
    expect(taskDefinition).toMatchObject({ family: "acme-api-api-test", requires_compatibilities: ["EC2"], network_mode: "bridge" });
    expect(taskDefinition.execution_role_arn).not.toEqual(taskDefinition.task_role_arn);
    expect(referencedResourceAddress(taskDefinition.execution_role_arn)).toMatch(/^aws_iam_role\..*execution-role/);
    expect(referencedResourceAddress(taskDefinition.task_role_arn)).toMatch(/^aws_iam_role\..*task-role/);
  });

  test("container definition: limits, dynamic host port, health check, environment, secrets, credentials, stop timeout, awslogs", () => {
    const [container, ...others] = containersOf(json);
    expect(others).toHaveLength(0);
    expect(container).toEqual({
      name: "api",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.2.3",
      essential: true,
      cpu: 512,
      memory: 1024,
      memoryReservation: 768,
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
      healthCheck: { command: ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"], interval: 30, timeout: 5, retries: 3, startPeriod: 20 },
      environment: [
        { name: "LOG_LEVEL", value: "info" },
        { name: "NODE_ENV", value: "production" },
      ],
      secrets: [
        { name: "API_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/api-key-AbCdEf:key::" },
        { name: "DATABASE_URL", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/db-url" },
      ],
      repositoryCredentials: { credentialsParameter: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-XyZ123" },
      stopTimeout: 25,
      readonlyRootFilesystem: false,
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["NET_RAW"] } },
      logConfiguration: {
        logDriver: "awslogs",
        options: expect.objectContaining({ "awslogs-group": "/ecs/acme-api-api-test", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api" }),
      },
    });
  });

  test("log group with the configured retention", () => {
    expect(soleResource(json, "aws_cloudwatch_log_group")).toEqual({ name: "/ecs/acme-api-api-test", retention_in_days: 14 });
  });

  test("target group: instance targets, health check from props, Spot-sized deregistration delay, slow start", () => {
    const group = soleResource(json, "aws_lb_target_group");
    // A prefix, never a fixed name: a replacement is created before the old group is gone.
    expect(group.name).toBeUndefined();
    expect(group).toMatchObject({
      name_prefix: "api-",
      tags: { Name: "acme-api-api-test" },
      target_type: "instance",
      protocol: "HTTP",
      vpc_id: "vpc-0a1b2c3d",
      deregistration_delay: "30",
      slow_start: 60,
      health_check: { path: "/health", matcher: "200-399", port: "traffic-port", interval: 10, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3 },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("listener rule: sorted hosts and paths with the given priority, forwarding to the target group", () => {
    const rule = soleResource(json, "aws_lb_listener_rule");
    expect(rule).toMatchObject({ listener_arn: webProps.routing?.listenerArn, priority: 110 });
    expect(rule.condition).toEqual([{ host_header: { values: ["api.example.com", "www.example.com"] } }, { path_pattern: { values: ["/v1/*"] } }]);
    expect(rule.action).toEqual([{ type: "forward", target_group_arn: expect.stringMatching(/^\$\{aws_lb_target_group\./) }]);
  });

  test("service: strategy, counts, load balancer, deployment safety, placement, managed tags", () => {
    const service = soleResource(json, "aws_ecs_service");
    expect(service).toMatchObject({
      name: "api",
      cluster: webProps.clusterArn,
      desired_count: 4,
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 200,
      health_check_grace_period_seconds: 60,
      deployment_circuit_breaker: { enable: true, rollback: true },
      enable_ecs_managed_tags: true,
      propagate_tags: "SERVICE",
      capacity_provider_strategy: [
        { capacity_provider: "on-demand", base: 2, weight: 1 },
        { capacity_provider: "spot", weight: 4 },
      ],
      ordered_placement_strategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      load_balancer: [{ container_name: "api", container_port: 8080, target_group_arn: expect.stringMatching(/^\$\{aws_lb_target_group\./) }],
    });
    expect(service.launch_type).toBeUndefined();
  });

  test("leaves the task count to autoscaling and the revision to CI deploys", () => {
    expect(soleResource(json, "aws_ecs_service").lifecycle).toEqual({ ignore_changes: ["desired_count", "task_definition"] });
  });

  test("waits for its listener rule and for the given dependencies", () => {
    // GIVEN something the service must outlive on destroy
    const withCapacity = synthConstructs((scope) => {
      const capacity = new S3Bucket(scope, "capacity-stand-in", { bucket: "x" });
      new EcsService(scope, "service", { ...webProps, dependsOn: [capacity] });
    });

    // THEN
    const dependsOn = soleResource(withCapacity, "aws_ecs_service").depends_on as string[];
    expect(dependsOn).toEqual([expect.stringMatching(/^aws_lb_listener_rule\./), expect.stringMatching(/^aws_s3_bucket\./)]);
  });

  test("uses the EC2 launch type when there is no capacity provider strategy (Spot Fleet mode)", () => {
    const service = soleResource(synth({ ...webProps, capacityProviderStrategy: undefined }), "aws_ecs_service");
    expect(service.launch_type).toBe("EC2");
    expect(service.capacity_provider_strategy).toBeUndefined();
  });

  test.each([
    ["with a strategy", webProps],
    ["with the EC2 launch type (a later move to a strategy is a strategy change too)", { ...webProps, capacityProviderStrategy: undefined }],
  ])("a web service %s forces a new deployment on update: the provider refuses to plan a strategy change without it", (_case, props) => {
    expect(soleResource(synth(props), "aws_ecs_service").force_new_deployment).toBe(true);
  });

  test("execution role: logs to its own group, pulls its own repository, reads exactly its secrets", () => {
    const policy = soleResource(json, "aws_iam_role_policy");
    expect(referencedResourceAddress(policy.role)).toMatch(/execution-role/);
    const statements = statementsOf(json, policy.policy);
    expect(Object.keys(statements).sort()).toEqual(["EcrLogin", "PullImage", "ReadParameters", "ReadSecrets", "WriteLogs"]);
    expect(statements.WriteLogs).toMatchObject({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:log-stream:\*$/)],
    });
    expect(statements.PullImage).toMatchObject({
      actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      resources: ["arn:aws:ecr:eu-west-1:123456789012:repository/acme-api"],
    });
    expect(statements.EcrLogin).toMatchObject({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
    expect(statements.ReadParameters).toMatchObject({ actions: ["ssm:GetParameters"], resources: ["arn:aws:ssm:eu-west-1:123456789012:parameter/acme/db-url"] });
    expect(statements.ReadSecrets).toMatchObject({
      actions: ["secretsmanager:GetSecretValue"],
      resources: [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/api-key-AbCdEf",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/api-key-AbCdEf-??????",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-XyZ123",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-XyZ123-??????",
      ],
    });
  });

  test.each([
    ["execution", webProps.executionRoleName],
    ["task", webProps.taskRoleName],
  ])("%s role trusts only ECS tasks of this account", (_kind, name) => {
    const [trust] = Object.values(statementsOf(json, roleNamed(json, name).assume_role_policy));
    expect(trust).toMatchObject({
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
      condition: expect.arrayContaining([{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }]),
    });
  });

  test("the task role starts without permissions", () => {
    expect(resourcesOfType(json, "aws_iam_role_policy")).toHaveLength(1);
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toHaveLength(0);
  });

  test("exposes what schedulers, drainers and deploy tools need", () => {
    synthConstructs((scope) => {
      const service = new EcsService(scope, "service", webProps);
      expect(service.containerName).toBe("api");
      expect(service.taskDefinitionFamily).toBe("acme-api-api-test");
      for (const value of [service.serviceName, service.serviceArn, service.taskDefinitionArn, service.taskRoleArn, service.executionRoleArn, service.logGroupName, service.targetGroupArn]) {
        expect(value).toEqual(expect.any(String));
      }
    });
  });

  test("refuses a web service without routing", () => {
    expect(() => synth({ ...webProps, routing: undefined })).toThrow(/service api: a web service needs routing and a containerPort/);
  });

  test.each([
    ["metrics-agent", undefined, "metri-"],
    ["a-b-c", undefined, "a-b-c-"],
    ["api", "web", "web"],
  ])("service %s with prefix %s gets target group name_prefix %s", (serviceName, targetGroupNamePrefix, expected) => {
    const props = { ...webProps, serviceName, routing: { ...webProps.routing!, targetGroupNamePrefix } };
    expect(soleResource(synth(props), "aws_lb_target_group").name_prefix).toBe(expected);
  });

  test.each(["toolong", "-api", "a_b"])("refuses target group name prefix %s", (targetGroupNamePrefix) => {
    expect(() => synth({ ...webProps, routing: { ...webProps.routing!, targetGroupNamePrefix } })).toThrow(`targetGroupNamePrefix "${targetGroupNamePrefix}" must be 1-6`);
  });
});

describe("EcsService (daemon)", () => {
  const json = synth(daemonProps);

  test("runs one task per instance with the EC2 launch type, without load balancer, count or placement strategy", () => {
    const service = soleResource(json, "aws_ecs_service");
    expect(service).toMatchObject({ name: "metrics-agent", scheduling_strategy: "DAEMON", launch_type: "EC2" });
    for (const absent of ["desired_count", "load_balancer", "capacity_provider_strategy", "ordered_placement_strategy", "deployment_maximum_percent"]) {
      expect(service[absent]).toBeUndefined();
    }
    expect(service.lifecycle).toEqual({ ignore_changes: ["task_definition"] });
    expect(resourcesOfType(json, "aws_lb_target_group")).toHaveLength(0);
    expect(resourcesOfType(json, "aws_lb_listener_rule")).toHaveLength(0);
  });

  test("has no port mapping and no registry permissions for a public image", () => {
    expect(containersOf(json)[0].portMappings).toEqual([]);
    const statements = statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);
    expect(Object.keys(statements)).toEqual(["WriteLogs"]);
  });
});
