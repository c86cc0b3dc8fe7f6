import { describe, expect, test } from "vitest";
import { derivedPriority } from "../../modules/traffic/listener-routing";
import { ENVIRONMENTS } from "../../stacks/environments";
import { referencedResourceAddress, statementsOf } from "../support/references";
import { resourcesOfType, soleResource, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

const byName = (resources: Array<Record<string, any>>, name: string) => {
  const found = resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`nothing named ${name}`);
  return found;
};
const ruleFor = (json: Synthesized, host: string) => {
  // The service's own rule, not a canary's test rule (the same conditions plus a header).
  const found = resourcesOfType(json, "aws_lb_listener_rule").find(
    (rule) => rule.condition[0].host_header?.values.includes(host) && !rule.condition.some((condition: Record<string, unknown>) => condition.http_header !== undefined),
  );
  if (!found) throw new Error(`no rule for ${host}`);
  return found;
};
const addressOf = (json: Synthesized, type: string, resource: Record<string, any>) =>
  `${type}.${Object.entries(json.resource?.[type] ?? {}).find(([, candidate]) => candidate === resource)?.[0]}`;

describe("production traffic and services", () => {
  const { json, stack } = synthExample("production");

  test("HTTPS with the domain's DNS-validated certificate, port 80 redirecting, TLS 1.3/1.2 policy", () => {
    expect(soleResource(json, "aws_acm_certificate")).toMatchObject({ domain_name: "api.example.com", subject_alternative_names: ["admin.example.com"] });
    const validation = resourcesOfType(json, "aws_route53_record").filter((record) => record.alias === undefined);
    expect(validation.map((record) => record.zone_id)).toEqual(["Z0123456789ABCDEFGHIJ"]);
    const listeners = resourcesOfType(json, "aws_lb_listener");
    expect(listeners.map((listener) => [listener.port, listener.protocol, listener.default_action[0].type]).sort()).toEqual([
      [443, "HTTPS", "fixed-response"],
      [80, "HTTP", "redirect"],
    ]);
    expect(listeners.find((listener) => listener.port === 443)?.ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
  });

  test("the ALB keeps deletion protection, drops invalid headers and logs to its bucket under the environment prefix", () => {
    const lb = soleResource(json, "aws_lb");
    expect(lb).toMatchObject({ name: "acme-api-web-production", enable_deletion_protection: true, drop_invalid_header_fields: true, idle_timeout: 60 });
    expect(lb.access_logs).toMatchObject({ prefix: "production", enabled: true });
    expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
    expect(soleResource(json, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 90 }]);
    expect(soleResource(json, "aws_s3_bucket").force_destroy).toBe(false);
  });

  test("two web services on different hosts, each with the priority derived from its own route and name alone", () => {
    // exact-host-only band 34000-41999, plus a hash of the name: no other service can move them
    expect(ruleFor(json, "api.example.com").priority).toBe(derivedPriority({ name: "api", hostHeaders: ["api.example.com"], pathPatterns: [] }));
    expect(ruleFor(json, "admin.example.com").priority).toBe(derivedPriority({ name: "admin", hostHeaders: ["admin.example.com"], pathPatterns: [] }));
    for (const host of ["api.example.com", "admin.example.com"]) expect(ruleFor(json, host).priority).toBeGreaterThanOrEqual(34000);
    // api is a canary: its test rule comes right before its own rule.
    expect(resourcesOfType(json, "aws_lb_listener_rule")).toHaveLength(3);
    expect(resourcesOfType(json, "aws_lb_listener_rule").filter((rule) => rule.priority === ruleFor(json, "api.example.com").priority - 1)).toHaveLength(1);
    for (const rule of resourcesOfType(json, "aws_lb_listener_rule")) {
      expect(referencedResourceAddress(rule.listener_arn)).toBe(addressOf(json, "aws_lb_listener", resourcesOfType(json, "aws_lb_listener").find((listener) => listener.port === 443)!));
    }
  });

  test("target groups take a name prefix (AWS adds a unique suffix), so a replacement can be created before the old one is deleted", () => {
    const groups = resourcesOfType(json, "aws_lb_target_group");
    expect(groups.map((group) => [group.name_prefix, group.name, group.tags.Name]).sort()).toEqual([
      ["admin-", undefined, "acme-api-admin-production"],
      // The canary api's primary and alternate groups.
      ["api-", undefined, "acme-api-api-production"],
      ["api-", undefined, "acme-api-api-production"],
    ]);
  });

  test("the default pool follows the environment's strategy; a pinned pool uses only that provider", () => {
    const services = resourcesOfType(json, "aws_ecs_service");
    const api = byName(services, "api");
    expect(api.capacity_provider_strategy).toEqual([
      { capacity_provider: expect.stringMatching(/on-demand/), base: 2, weight: 1 },
      { capacity_provider: expect.stringMatching(/spot/), base: 0, weight: 4 },
    ]);
    expect(byName(services, "admin").capacity_provider_strategy).toEqual([{ capacity_provider: expect.stringMatching(/on-demand/), base: 0, weight: 1 }]);
    expect(api.launch_type).toBeUndefined();
  });

  test("the metrics agent is a daemon with the EC2 launch type", () => {
    const agent = byName(resourcesOfType(json, "aws_ecs_service"), "metrics-agent");
    expect(agent).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2" });
  });

  test("every service waits for the capacity provider association, so destroy removes services first", () => {
    for (const service of resourcesOfType(json, "aws_ecs_service")) {
      expect(service.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_ecs_cluster_capacity_providers\./)]));
    }
  });

  test("Terraform leaves the count to autoscaling and the revision to CI on every web service", () => {
    expect(byName(resourcesOfType(json, "aws_ecs_service"), "admin").lifecycle).toMatchObject({ ignore_changes: ["desired_count", "task_definition"] });
    // The canary api also leaves its load balancer block to ECS, which swaps the target groups in every deployment.
    expect(byName(resourcesOfType(json, "aws_ecs_service"), "api").lifecycle).toMatchObject({ ignore_changes: ["desired_count", "task_definition", "load_balancer"] });
  });

  test("autoscaling per web service; the canary api scales on CPU, not on requests per target (its traffic alternates between two groups)", () => {
    const targets = resourcesOfType(json, "aws_appautoscaling_target").filter((target) => target.service_namespace === "ecs");
    expect(targets.map((target) => [target.resource_id, target.min_capacity, target.max_capacity]).sort()).toEqual([
      [expect.stringMatching(/^service\/acme-api-production\/\$\{aws_ecs_service\..*admin.*\.name\}$/), 2, 6],
      [expect.stringMatching(/^service\/acme-api-production\/\$\{aws_ecs_service\..*api.*\.name\}$/), 4, 40],
    ]);
    const policies = resourcesOfType(json, "aws_appautoscaling_policy").map((policy) => policy.name as string);
    expect(policies).not.toContain("acme-api-api-production-requests");
    expect(byName(resourcesOfType(json, "aws_appautoscaling_policy"), "acme-api-api-production-cpu").policy_type).toBe("TargetTrackingScaling");
    expect(byName(resourcesOfType(json, "aws_appautoscaling_policy"), "acme-api-api-production-step").policy_type).toBe("StepScaling");
  });

  test("container definitions come from the service config", () => {
    const taskDefinition = resourcesOfType(json, "aws_ecs_task_definition").find((candidate) => candidate.family === "acme-api-api-production");
    const [container] = JSON.parse(taskDefinition?.container_definitions);
    expect(container).toMatchObject({
      name: "api",
      cpu: 512,
      memory: 1024,
      memoryReservation: 768,
      stopTimeout: 25,
      // awsvpc (the canary): the task's own interface listens on the container port.
      portMappings: [{ containerPort: 8080, protocol: "tcp" }],
      secrets: [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/production/database-url" }],
      logConfiguration: { options: expect.objectContaining({ "awslogs-group": "/ecs/acme-api-api-production" }) },
    });
    expect(byName(resourcesOfType(json, "aws_cloudwatch_log_group"), "/ecs/acme-api-api-production").retention_in_days).toBe(90);
  });

  test("the deploy role may pass exactly this environment's task and execution roles", () => {
    const deployPolicy = resourcesOfType(json, "aws_iam_role_policy").find((policy) => policy.name === "deploy");
    const statements = statementsOf(json, deployPolicy?.policy);
    const serviceRoles = resourcesOfType(json, "aws_iam_role")
      .filter((role) => /-(task|execution)-production$/.test(role.name))
      .map((role) => `\${${addressOf(json, "aws_iam_role", role)}.arn}`);
    expect(serviceRoles).toHaveLength(6);
    expect([...statements.PassTaskRoles.resources].sort()).toEqual(serviceRoles.sort());
    expect(statements.PushImages.resources).toEqual([
      "arn:${data.aws_partition.partition.partition}:ecr:eu-west-1:${data.aws_caller_identity.account.account_id}:repository/acme-api",
      "arn:${data.aws_partition.partition.partition}:ecr:eu-west-1:${data.aws_caller_identity.account.account_id}:repository/acme-admin",
    ]);
    expect(statements.UpdateServices.resources).toHaveLength(3);
  });

  test("outputs tell a deploy tool everything per service", () => {
    expect(json.output?.alb_dns_name?.value).toMatch(/^\$\{aws_lb\.[^}]+\.dns_name\}$/);
    expect(json.output?.deploy_role_arn?.value).toMatch(/^\$\{aws_iam_role\.[^}]+\.arn\}$/);
    expect(json.output?.service_api?.value).toEqual({
      cluster: "acme-api-production",
      service: expect.stringMatching(/^\$\{aws_ecs_service\./),
      task_family: "acme-api-api-production",
      container_name: "api",
      task_definition_arn: expect.stringMatching(/^\$\{aws_ecs_task_definition\./),
      task_role_arn: expect.stringMatching(/^\$\{aws_iam_role\./),
      execution_role_arn: expect.stringMatching(/^\$\{aws_iam_role\./),
      log_group: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\./),
      target_group_arn: expect.stringMatching(/^\$\{aws_lb_target_group\./),
    });
    expect(json.output?.service_metrics_agent?.value).not.toHaveProperty("target_group_arn");
  });

  test("exposes the services and load balancer for other wiring", () => {
    expect(Object.keys(stack.services)).toEqual(["api", "admin", "metrics-agent"]);
    expect(stack.services.api.containerName).toBe("api");
    expect(stack.services["metrics-agent"].targetGroupArn).toBeUndefined();
    expect(stack.loadBalancer.httpsEnabled).toBe(true);
  });
});

describe("staging traffic and services", () => {
  const { json } = synthExample("staging");

  test("runs HTTP only: one listener on 80 carrying the rules, 404 by default, no certificate", () => {
    const listener = soleResource(json, "aws_lb_listener");
    expect(listener).toMatchObject({ port: 80, protocol: "HTTP", default_action: [{ type: "fixed-response" }] });
    expect(resourcesOfType(json, "aws_acm_certificate")).toHaveLength(0);
    expect(referencedResourceAddress(soleResource(json, "aws_lb_listener_rule").listener_arn)).toBe(addressOf(json, "aws_lb_listener", listener));
    expect(soleResource(json, "aws_lb").enable_deletion_protection).toBe(false);
    expect(soleResource(json, "aws_s3_bucket").force_destroy).toBe(true);
  });

  test("services use the EC2 launch type and wait for the Spot Fleet", () => {
    const service = soleResource(json, "aws_ecs_service");
    expect(service.launch_type).toBe("EC2");
    expect(service.capacity_provider_strategy).toBeUndefined();
    expect(service.depends_on).toEqual([expect.stringMatching(/^aws_lb_listener_rule\./), expect.stringMatching(/^aws_spot_fleet_request\./)]);
  });

  test("has no deploy role without ciDeploy", () => {
    const { json: withoutCi } = synthEnvironment({ ...EXAMPLES.staging, ciDeploy: undefined });
    expect(withoutCi.output?.deploy_role_arn).toBeUndefined();
    expect(resourcesOfType(withoutCi, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(resourcesOfType(withoutCi, "aws_iam_role").filter((role) => role.name.endsWith("-deploy-staging"))).toHaveLength(0);
  });

  test("the deploy role looks up the account's GitHub OIDC provider and may deploy the job that brings its own image", () => {
    expect(resourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(Object.values(json.data?.aws_iam_openid_connect_provider ?? {})).toEqual([expect.objectContaining({ url: "https://token.actions.githubusercontent.com" })]);
    const deployPolicy = resourcesOfType(json, "aws_iam_role_policy").find((policy) => policy.name === "deploy");
    const families = statementsOf(json, deployPolicy?.policy).RegisterTaskDefinitions.resources as string[];
    expect(families.map((arn) => arn.replace(/^.*:task-definition\//, ""))).toEqual([
      "acme-api-api-staging:*",
      "acme-api-api-staging_run:*",
      expect.stringMatching(/^\$\{aws_ecs_task_definition\..*\.family\}:\*$/),
      expect.stringMatching(/^\$\{aws_ecs_task_definition\..*\.family\}_run:\*$/),
    ]);
  });
});

describe("every environment", () => {
  test.each(Object.keys(ENVIRONMENTS))("%s: the instances admit only the load balancer, on the dynamic host ports", (name) => {
    const { json } = synthEnvironment(name);
    const lbGroup = resourcesOfType(json, "aws_security_group").find((group) => String(group.description).startsWith("Load balancer"))!;
    const instanceGroup = resourcesOfType(json, "aws_security_group").find((group) => String(group.description).startsWith("ECS container instances"))!;
    const fromLb = resourcesOfType(json, "aws_vpc_security_group_ingress_rule").filter(
      (rule) => rule.referenced_security_group_id !== undefined && rule.security_group_id === `\${${addressOf(json, "aws_security_group", instanceGroup)}.id}`,
    );
    expect(fromLb).toEqual([
      expect.objectContaining({ from_port: 32768, to_port: 65535, ip_protocol: "tcp", referenced_security_group_id: `\${${addressOf(json, "aws_security_group", lbGroup)}.id}` }),
    ]);
  });
});
