import { describe, expect, test } from "vitest";
import { JobTaskDefinition, type JobTaskDefinitionProps } from "../../modules/job-task-definition";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../support/synth";

const BASE: JobTaskDefinitionProps = {
  family: "acme-api-cleanup-production",
  containerName: "cleanup",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/cleanup:1.4.2",
  cpu: 256,
  memory: 512,
  logGroupName: "/ecs/acme-api-production/jobs/cleanup",
  logRetentionDays: 90,
  executionRoleName: "acme-api-cleanup-execution-production",
  taskRoleName: "acme-api-cleanup-task-production",
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
};

function synth(overrides: Partial<JobTaskDefinitionProps> = {}): Synthesized {
  return synthConstructs((scope) => new JobTaskDefinition(scope, "task", { ...BASE, ...overrides }));
}

function roleNamed(json: Synthesized, name: string): Record<string, any> {
  const role = resourcesOfType(json, "aws_iam_role").find((candidate) => candidate.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role;
}

describe("JobTaskDefinition", () => {
  test("GIVEN an image WHEN synthesized THEN one EC2 bridge container logs to its own expiring log group", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const taskDefinition = soleResource(json, "aws_ecs_task_definition");
    expect(taskDefinition).toMatchObject({ family: BASE.family, requires_compatibilities: ["EC2"], network_mode: "bridge" });
    const logGroupId = Object.keys(json.resource?.aws_cloudwatch_log_group ?? {})[0];
    expect(JSON.parse(taskDefinition.container_definitions as string)).toEqual([
      {
        name: "cleanup",
        image: BASE.image,
        essential: true,
        cpu: 256,
        memory: 512,
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": `\${aws_cloudwatch_log_group.${logGroupId}.name}`, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "job" },
        },
      },
    ]);
    expect(soleResource(json, "aws_cloudwatch_log_group")).toEqual({ name: BASE.logGroupName, retention_in_days: 90 });
  });

  test("GIVEN an ECR image WHEN synthesized THEN the execution role may pull only that repository and write only its log group", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const statements = JSON.parse(soleResource(json, "aws_iam_role_policy").policy as string).Statement;
    const logGroupId = Object.keys(json.resource?.aws_cloudwatch_log_group ?? {})[0];
    expect(statements).toEqual([
      { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PullImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Resource: "arn:aws:ecr:eu-west-1:123456789012:repository/acme/cleanup",
      },
      {
        Sid: "WriteLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `\${aws_cloudwatch_log_group.${logGroupId}.arn}:*`,
      },
    ]);
  });

  test("GIVEN a public image WHEN synthesized THEN the execution role has no ECR permissions", () => {
    // GIVEN / WHEN
    const json = synth({ image: "public.ecr.aws/docker/library/busybox:1.36" });
    // THEN
    const statements = JSON.parse(soleResource(json, "aws_iam_role_policy").policy as string).Statement;
    expect(statements.map((statement: { Sid: string }) => statement.Sid)).toEqual(["WriteLogs"]);
  });

  test("GIVEN a job WHEN synthesized THEN its task role is empty and only ECS tasks of this account may assume it", () => {
    // GIVEN / WHEN
    const json = synth();
    // THEN
    const taskRole = roleNamed(json, BASE.taskRoleName);
    expect(JSON.parse(taskRole.assume_role_policy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" } },
      },
    ]);
    const taskDefinition = soleResource(json, "aws_ecs_task_definition");
    const roleIds = Object.entries(json.resource?.aws_iam_role ?? {});
    const idOf = (name: string) => roleIds.find(([, role]) => role.name === name)?.[0];
    expect(taskDefinition.task_role_arn).toBe(`\${aws_iam_role.${idOf(BASE.taskRoleName)}.arn}`);
    expect(taskDefinition.execution_role_arn).toBe(`\${aws_iam_role.${idOf(BASE.executionRoleName)}.arn}`);
    expect(resourcesOfType(json, "aws_iam_role_policy").map((policy) => policy.role)).toEqual([`\${aws_iam_role.${idOf(BASE.executionRoleName)}.name}`]);
  });
});
