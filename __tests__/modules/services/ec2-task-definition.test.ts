import { TerraformOutput } from "cdktf";
import { describe, expect, test } from "vitest";
import { Ec2TaskDefinition, ecrRepositoryArn, type Ec2TaskDefinitionProps } from "../../../modules/services/ec2-task-definition";
import { StackIam } from "../../support/iam-simulation";
import { statementsOf } from "../../support/references";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

/** The released family's task definition (Terraform registers it once; its twin in the config family tracks the config). */
const releasedDefinition = (json: Synthesized): Record<string, any> => {
  const definitions = resourcesOfType(json, "aws_ecs_task_definition");
  expect(definitions.map((definition) => definition.family as string).filter((family) => family.endsWith("_config"))).toHaveLength(1);
  return definitions.find((definition) => !String(definition.family).endsWith("_config")) as Record<string, any>;
};

/** A scheduled job that brings its own image: the smallest container spec. */
const BASE: Ec2TaskDefinitionProps = {
  family: "acme-api-cleanup-production",
  logGroupName: "/ecs/acme-api-production/jobs/cleanup",
  logRetentionDays: 90,
  executionRoleName: "acme-api-cleanup-execution-production",
  taskRoleName: "acme-api-cleanup-task-production",
  container: {
    name: "cleanup",
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/cleanup:1.4.2",
    cpu: 256,
    memory: 512,
    logStreamPrefix: "job",
  },
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
};

function synth(overrides: Partial<Ec2TaskDefinitionProps> = {}): Synthesized {
  return synthConstructs((scope) => new Ec2TaskDefinition(scope, "task", { ...BASE, ...overrides }));
}

const logGroupIdOf = (json: Synthesized): string => Object.keys(json.resource?.aws_cloudwatch_log_group ?? {})[0];
const roleIdOf = (json: Synthesized, name: string): string | undefined => Object.entries(json.resource?.aws_iam_role ?? {}).find(([, role]) => role.name === name)?.[0];
const containerOf = (json: Synthesized): Record<string, any> => JSON.parse(releasedDefinition(json).container_definitions as string)[0];

function roleNamed(json: Synthesized, name: string): Record<string, any> {
  const role = resourcesOfType(json, "aws_iam_role").find((candidate) => candidate.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role;
}

describe("Ec2TaskDefinition", () => {
  test("GIVEN a family WHEN synthesized THEN Terraform keeps the config family current and registers the released family once, never updating it", () => {
    // GIVEN / WHEN
    const json = synth({ family: "acme-api-cleanup-production" });
    const definitions = resourcesOfType(json, "aws_ecs_task_definition");
    // THEN two registrations of one definition: the config family (replaced on change, new before old) and the release
    expect(definitions.map((definition) => [definition.family, definition.lifecycle])).toEqual(
      expect.arrayContaining([
        ["acme-api-cleanup-production_config", { create_before_destroy: true }],
        ["acme-api-cleanup-production", { ignore_changes: "all" }],
      ]),
    );
    expect(definitions).toHaveLength(2);
    const [config, released] = ["acme-api-cleanup-production_config", "acme-api-cleanup-production"].map((family) => definitions.find((definition) => definition.family === family) as Record<string, any>);
    const { family: _c, lifecycle: _cl, ...configRest } = config;
    const { family: _r, lifecycle: _rl, ...releasedRest } = released;
    expect(configRest).toEqual(releasedRest);
  });

  test("GIVEN an image WHEN synthesized THEN one EC2 bridge container logs to its own expiring log group", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const taskDefinition = releasedDefinition(json);
    expect(taskDefinition).toMatchObject({ family: BASE.family, requires_compatibilities: ["EC2"], network_mode: "bridge" });
    expect(JSON.parse(taskDefinition.container_definitions as string)).toEqual([
      {
        name: "cleanup",
        image: BASE.container.image,
        essential: true,
        cpu: 256,
        memory: 512,
        readonlyRootFilesystem: false,
        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["NET_RAW"] } },
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": BASE.logGroupName, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "job" },
        },
      },
    ]);
    expect(taskDefinition.depends_on).toEqual([`aws_cloudwatch_log_group.${logGroupIdOf(json)}`]);
    expect(soleResource(json, "aws_cloudwatch_log_group")).toEqual({ name: BASE.logGroupName, retention_in_days: 90 });
  });

  test("GIVEN every optional container setting WHEN synthesized THEN the container definition carries each of them", () => {
    // GIVEN
    const container = {
      ...BASE.container,
      memoryReservation: 384,
      containerPorts: [8080],
      environment: { NODE_ENV: "production", LOG_LEVEL: "info" },
      secrets: { TOKEN: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token" },
      repositoryCredentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-XyZ123",
      healthCheck: { command: ["CMD-SHELL", "true"], intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 },
      stopTimeoutSeconds: 25,
      nonBlockingLogs: true,
      readonlyRootFilesystem: true,
      writablePaths: ["/tmp", "/var/cache/app"],
      user: "1000:1000",
    };
    // WHEN
    const json = synth({ container });
    // THEN
    expect(containerOf(json)).toEqual({
      name: "cleanup",
      image: BASE.container.image,
      essential: true,
      cpu: 256,
      memory: 512,
      memoryReservation: 384,
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
      environment: [
        { name: "LOG_LEVEL", value: "info" },
        { name: "NODE_ENV", value: "production" },
      ],
      secrets: [{ name: "TOKEN", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token" }],
      healthCheck: { command: ["CMD-SHELL", "true"], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
      repositoryCredentials: { credentialsParameter: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-XyZ123" },
      stopTimeout: 25,
      user: "1000:1000",
      readonlyRootFilesystem: true,
      mountPoints: [
        { sourceVolume: "scratch-0", containerPath: "/tmp", readOnly: false },
        { sourceVolume: "scratch-1", containerPath: "/var/cache/app", readOnly: false },
      ],
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["NET_RAW"] } },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": BASE.logGroupName,
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "job",
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      },
    });
  });

  test("GIVEN writable paths WHEN synthesized THEN each is a Docker-managed scratch volume of the task (no host path)", () => {
    // GIVEN / WHEN
    const json = synth({ container: { ...BASE.container, readonlyRootFilesystem: true, writablePaths: ["/tmp", "/var/run"] } });
    // THEN
    expect(releasedDefinition(json).volume).toEqual([{ name: "scratch-0" }, { name: "scratch-1" }]);
  });

  test("GIVEN no writable paths WHEN synthesized THEN the task has no volumes", () => {
    expect(releasedDefinition(synth()).volume).toBeUndefined();
  });

  test("GIVEN an ECR image WHEN synthesized THEN the execution role may pull only that repository and write only its log group", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const statements = statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);
    expect(statements).toEqual({
      EcrLogin: { sid: "EcrLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      PullImage: {
        sid: "PullImage",
        effect: "Allow",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        resources: ["arn:aws:ecr:eu-west-1:123456789012:repository/acme/cleanup"],
      },
      WriteLogs: {
        sid: "WriteLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`\${aws_cloudwatch_log_group.${logGroupIdOf(json)}.arn}:log-stream:*`],
      },
    });
  });

  test("GIVEN a public image WHEN synthesized THEN the execution role has no ECR permissions", () => {
    // GIVEN / WHEN
    const json = synth({ container: { ...BASE.container, image: "public.ecr.aws/docker/library/busybox:1.36" } });
    // THEN
    const statements = statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);
    expect(Object.keys(statements)).toEqual(["WriteLogs"]);
  });

  const RELEASES = "arn:aws:ecr:eu-west-1:123456789012:repository/acme/releases";
  test.each([
    ["an ECR image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/cleanup:1.0.0", ["arn:aws:ecr:eu-west-1:123456789012:repository/acme/cleanup", RELEASES]],
    ["an ECR image from a release repository", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/releases:1.0.0", [RELEASES]],
    ["a public image", "public.ecr.aws/docker/library/busybox:1.36", [RELEASES]],
  ])("GIVEN %s and a release repository WHEN synthesized THEN the execution role may pull from both, each once", (_, image, repositories) => {
    // GIVEN / WHEN
    const json = synth({ container: { ...BASE.container, image }, releaseRepositoryArns: [RELEASES] });
    // THEN
    const statements = statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);
    expect(statements.EcrLogin).toMatchObject({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
    expect(statements.PullImage).toMatchObject({ resources: repositories });
  });

  test("GIVEN a secret named by its partial ARN with a JSON key WHEN synthesized THEN IAM matches the secret's random suffix", () => {
    // GIVEN ECS accepts `valueFrom` without the 6-character suffix AWS appends to secret ARNs
    const json = synth({
      container: { ...BASE.container, secrets: { DB_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/db:password::" } },
    });
    // THEN
    const statements = statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);
    expect(statements.ReadSecrets).toMatchObject({
      actions: ["secretsmanager:GetSecretValue"],
      resources: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/db", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/db-??????"],
    });
  });

  test("GIVEN a task WHEN synthesized THEN its task role is empty and its roles are the task definition's", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const taskDefinition = releasedDefinition(json);
    expect(taskDefinition.task_role_arn).toBe(`\${aws_iam_role.${roleIdOf(json, BASE.taskRoleName)}.arn}`);
    expect(taskDefinition.execution_role_arn).toBe(`\${aws_iam_role.${roleIdOf(json, BASE.executionRoleName)}.arn}`);
    expect(resourcesOfType(json, "aws_iam_role_policy").map((policy) => policy.role)).toEqual([`\${aws_iam_role.${roleIdOf(json, BASE.executionRoleName)}.name}`]);
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toHaveLength(0);
  });

  test("GIVEN taskRolePermissions WHEN simulated THEN the task role may do exactly what they say, and nothing lands on the execution role", async () => {
    // GIVEN a metrics agent limited to its namespace, plus a managed policy
    const json = synth({
      taskRolePermissions: {
        statements: [
          {
            sid: "PublishMetrics",
            actions: ["cloudwatch:PutMetricData"],
            resources: ["*"],
            conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }],
          },
        ],
        managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
      },
    });
    // WHEN
    const iam = StackIam.fromSynth(json);
    const task = iam.role(BASE.taskRoleName);
    const execution = iam.role(BASE.executionRoleName);
    const putMetrics = (namespace: string) => ({ action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": namespace } });
    const agentConfig = { action: "ssm:GetParameter", resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/AmazonCloudWatch-linux" };
    // THEN
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toEqual([
      expect.objectContaining({ policy_arn: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", role: `\${aws_iam_role.${roleIdOf(json, BASE.taskRoleName)}.name}` }),
    ]);
    expect(await task.decide(putMetrics("CWAgent"))).toBe("Allowed");
    expect(await task.decide(agentConfig)).toBe("Allowed");
    expect(await execution.decide(putMetrics("CWAgent"))).toBe("ImplicitlyDenied");
    expect(await execution.decide(agentConfig)).toBe("ImplicitlyDenied");
  });

  test("GIVEN statements only WHEN simulated THEN the condition holds: another namespace is denied", async () => {
    const json = synth({
      taskRolePermissions: {
        statements: [{ actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }] }],
      },
    });
    const task = StackIam.fromSynth(json).role(BASE.taskRoleName);
    expect(await task.decide({ action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": "AWS/ECS" } })).toBe("ImplicitlyDenied");
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toHaveLength(0);
  });

  test.each([
    ["execution", BASE.executionRoleName],
    ["task", BASE.taskRoleName],
  ])("GIVEN a task WHEN synthesized THEN only ECS tasks of this account may assume its %s role", (_kind, name) => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    expect(Object.values(statementsOf(json, roleNamed(json, name).assume_role_policy))).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:ecs:eu-west-1:123456789012:*"] },
        ],
      },
    ]);
  });

  test("GIVEN no partition WHEN synthesized THEN the trust condition uses the region's partition", () => {
    // GIVEN / WHEN
    const json = synth({ partition: undefined, region: "cn-north-1" });
    // THEN
    const [trust] = Object.values(statementsOf(json, roleNamed(json, BASE.taskRoleName).assume_role_policy));
    expect(trust.condition).toContainEqual({ test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws-cn:ecs:cn-north-1:123456789012:*"] });
  });

  test("GIVEN a task WHEN its outputs are used THEN they refer to what it built", () => {
    // GIVEN
    let containerName = "";
    // WHEN
    const json = synthConstructs((scope) => {
      const task = new Ec2TaskDefinition(scope, "task", BASE);
      containerName = task.containerName;
      const outputs = { family: task.taskDefinitionFamily, configFamily: task.configFamily, arn: task.taskDefinitionArn, logs: task.logGroupName, taskRole: task.taskRoleArn, executionRole: task.executionRoleArn };
      for (const [name, value] of Object.entries(outputs)) new TerraformOutput(scope, name, { value });
    });
    // THEN
    expect(containerName).toBe("cleanup");
    expect(json.output).toEqual({
      family: { value: expect.stringMatching(/^\$\{aws_ecs_task_definition\.task_task-definition_[^}]+\.family\}$/) },
      configFamily: { value: expect.stringMatching(/^\$\{aws_ecs_task_definition\.task_config-task-definition_[^}]+\.family\}$/) },
      arn: { value: expect.stringMatching(/^\$\{aws_ecs_task_definition\.[^}]+\.arn\}$/) },
      logs: { value: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]+\.name\}$/) },
      taskRole: { value: `\${aws_iam_role.${roleIdOf(json, BASE.taskRoleName)}.arn}` },
      executionRole: { value: `\${aws_iam_role.${roleIdOf(json, BASE.executionRoleName)}.arn}` },
    });
  });
});

describe("ecrRepositoryArn", () => {
  test.each([
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:latest", "arn:aws:ecr:eu-west-1:123456789012:repository/acme-api"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/acme-api@sha256:abc", "arn:aws:ecr:eu-west-1:123456789012:repository/team/acme-api"],
    ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/acme:1", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/acme"],
    ["123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/acme:1", "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/acme"],
    ["public.ecr.aws/nginx/nginx:1.27", undefined],
    ["nginx:latest", undefined],
  ])("%s → %s", (image, arn) => {
    expect(ecrRepositoryArn(image)).toBe(arn);
  });
});
