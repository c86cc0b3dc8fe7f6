/**
 * IAM by simulation: every call `npm run release` makes is allowed by the SYNTHESIZED deploy-role
 * policy of each shipped environment, with realistic ARNs and condition keys, and calls outside
 * the environment are denied. The policy is evaluated by @cloud-copilot/iam-simulate, which also
 * refuses unknown action names and condition keys an action does not have.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, test } from "vitest";
import { environmentTargets, type ReleaseTarget } from "../../release/targets";
import { parseEnvironmentConfig } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { referencedDataSource } from "../support/references";
import { resourcesOfType, synthEnvironment, type Synthesized } from "../support/synth";
import { EXAMPLES } from "../support/examples";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const PARTITION = "aws";
const ECS_TASKS = "ecs-tasks.amazonaws.com";

type Policy = { Version: string; Statement: Array<Record<string, unknown>> };

/** `${…}` references in the synthesized JSON, replaced by what AWS would put there for this account. */
function resolveReferences(json: Synthesized, text: string): string {
  return text.replace(/\$\{([^}]+)\}/g, (_all, expression: string) => {
    const [first, ...rest] = expression.split(".");
    if (first === "data") {
      const [type, , attribute] = rest;
      if (type === "aws_partition" && attribute === "partition") return PARTITION;
      if (type === "aws_caller_identity" && attribute === "account_id") return ACCOUNT;
      throw new Error(`unresolved data reference \${${expression}}`);
    }
    const [id, attribute] = rest;
    const resource = json.resource?.[first]?.[id] as Record<string, any> | undefined;
    if (!resource) throw new Error(`no resource ${first}.${id}`);
    const region = (json.provider?.aws?.[0] as { region: string }).region;
    const clusterName = (reference: unknown) => resolveReferences(json, String(reference).replace(/\.(arn|id)\}$/, ".name}"));
    switch (`${first}.${attribute}`) {
      case "aws_ecs_cluster.arn":
      case "aws_ecs_cluster.id":
        return `arn:${PARTITION}:ecs:${region}:${ACCOUNT}:cluster/${resource.name}`;
      case "aws_ecs_cluster.name":
        return resource.name;
      case "aws_ecs_service.id":
        return `arn:${PARTITION}:ecs:${region}:${ACCOUNT}:service/${clusterName(resource.cluster)}/${resource.name}`;
      case "aws_ecs_service.name":
        return resource.name;
      case "aws_iam_role.arn":
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${resource.name}`;
      case "aws_ecs_task_definition.family":
        return resource.family;
      default:
        throw new Error(`unresolved reference \${${expression}}`);
    }
  });
}

/** The deploy role's synthesized policy as the IAM JSON AWS evaluates. */
function deployPolicy(json: Synthesized): Policy {
  const attachment = resourcesOfType(json, "aws_iam_role_policy").find((policy) => policy.name === "deploy");
  const document = referencedDataSource(json, attachment?.policy);
  const statements = (document.statement as Array<Record<string, any>>).map((statement) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { test: operator, variable, values } of statement.condition ?? []) {
      condition[operator] = { ...condition[operator], [variable]: (values as string[]).map((value) => resolveReferences(json, value)) };
    }
    return {
      Sid: statement.sid,
      Effect: statement.effect ?? "Allow",
      Action: statement.actions,
      Resource: (statement.resources as string[]).map((resource) => resolveReferences(json, resource)),
      ...(statement.condition && { Condition: condition }),
    };
  });
  return { Version: "2012-10-17", Statement: statements };
}

interface Call {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/** The live names of one target, as the environment's stack creates them. */
function arnsOf(target: ReleaseTarget, account = ACCOUNT, cluster = target.cluster) {
  const ecs = `arn:${PARTITION}:ecs:${target.region}:${account}`;
  return {
    cluster: `${ecs}:cluster/${cluster}`,
    service: `${ecs}:service/${cluster}/${target.service}`,
    revision: (revision: number, family = target.family) => `${ecs}:task-definition/${family}:${revision}`,
    task: `${ecs}:task/${cluster}/0123456789abcdef0123456789abcdef`,
    serviceDeployment: `${ecs}:service-deployment/${cluster}/${target.service}/Gp2aUn4xYp1qF3mK`,
    serviceRevision: `${ecs}:service-revision/${cluster}/${target.service}/9223370564342348388`,
  };
}

/**
 * Every AWS call the release tool makes for a target, by command (see release/operations.ts):
 *
 * | SDK command            | IAM action                 | resource                          | condition keys                        |
 * | ---------------------- | -------------------------- | --------------------------------- | ------------------------------------- |
 * | DescribeServices       | ecs:DescribeServices       | service/<cluster>/<service>       | ecs:cluster                           |
 * | DescribeTaskDefinition | ecs:DescribeTaskDefinition | *                                 |                                       |
 * | ListTaskDefinitions    | ecs:ListTaskDefinitions    | *                                 |                                       |
 * | DeregisterTaskDefinition | ecs:DeregisterTaskDefinition | *                             |                                       |
 * | RegisterTaskDefinition | ecs:RegisterTaskDefinition | task-definition/<family>[_run]:<rev> | aws:RequestTag/team, aws:TagKeys   |
 * |   (tag on create)      | ecs:TagResource            | task-definition/<family>:<rev>    | ecs:CreateAction, aws:RequestTag/…    |
 * |   (roles in it)        | iam:PassRole               | task and execution role           | iam:PassedToService                   |
 * | UpdateService          | ecs:UpdateService          | service/<cluster>/<service>       | ecs:cluster                           |
 * | ListServiceDeployments | ecs:ListServiceDeployments | service/<cluster>/<service>       | ecs:cluster                           |
 * | DescribeServiceDeployments, StopServiceDeployment | service + service-deployment/<cluster>/<service>/<id> | ecs:cluster, ecs:service |
 * | DescribeServiceRevisions | ecs:DescribeServiceRevisions | service + service-revision/<cluster>/<service>/<id> | ecs:cluster, ecs:service |
 * | RunTask                | ecs:RunTask                | task-definition/<family>:<rev>    | ecs:cluster                           |
 * |   (propagated tags)    | ecs:TagResource            | task/<cluster>/<id>               | ecs:CreateAction, aws:RequestTag/…    |
 * |   (roles of the task)  | iam:PassRole               | task and execution role           | iam:PassedToService                   |
 * | DescribeTasks          | ecs:DescribeTasks          | task/<cluster>/<id>               | ecs:cluster                           |
 * | StopTask               | ecs:StopTask               | task/<cluster>/<id>               | ecs:cluster                           |
 */
const CALLS_BY_COMMAND: Record<string, (target: ReleaseTarget, roles: { task: string; execution: string }) => Call[]> = {
  DescribeServices: (target) => (target.kind === "service" ? [{ action: "ecs:DescribeServices", resource: arnsOf(target).service, context: { "ecs:cluster": arnsOf(target).cluster } }] : []),
  DescribeTaskDefinition: () => [{ action: "ecs:DescribeTaskDefinition", resource: "*" }],
  ListTaskDefinitions: () => [{ action: "ecs:ListTaskDefinitions", resource: "*" }],
  DeregisterTaskDefinition: () => [{ action: "ecs:DeregisterTaskDefinition", resource: "*" }],
  // Releases into the released family, one-off revisions into its _run family.
  RegisterTaskDefinition: (target, roles) =>
    [target.family, target.oneOffFamily].flatMap((family) => [
      { action: "ecs:RegisterTaskDefinition", resource: arnsOf(target).revision(8, family), context: { "aws:RequestTag/team": "payments", "aws:TagKeys": ["team"] } },
      {
        action: "ecs:TagResource",
        resource: arnsOf(target).revision(8, family),
        context: { "ecs:CreateAction": "RegisterTaskDefinition", "aws:RequestTag/team": "payments", "aws:TagKeys": ["team"] },
      },
      ...passRoles(roles),
    ]),
  ListServiceDeployments: (target) => (target.kind === "service" ? [{ action: "ecs:ListServiceDeployments", resource: arnsOf(target).service, context: { "ecs:cluster": arnsOf(target).cluster } }] : []),
  DescribeServiceDeployments: (target) => serviceDeploymentCalls(target, "ecs:DescribeServiceDeployments", arnsOf(target).serviceDeployment),
  StopServiceDeployment: (target) => serviceDeploymentCalls(target, "ecs:StopServiceDeployment", arnsOf(target).serviceDeployment),
  DescribeServiceRevisions: (target) => serviceDeploymentCalls(target, "ecs:DescribeServiceRevisions", arnsOf(target).serviceRevision),
  UpdateService: (target) => (target.kind === "service" ? [{ action: "ecs:UpdateService", resource: arnsOf(target).service, context: { "ecs:cluster": arnsOf(target).cluster } }] : []),
  RunTask: (target, roles) => [
    { action: "ecs:RunTask", resource: arnsOf(target).revision(7), context: { "ecs:cluster": arnsOf(target).cluster } },
    { action: "ecs:RunTask", resource: arnsOf(target).revision(2, target.oneOffFamily), context: { "ecs:cluster": arnsOf(target).cluster } },
    { action: "ecs:TagResource", resource: arnsOf(target).task, context: { "ecs:CreateAction": "RunTask", "aws:RequestTag/team": "payments", "aws:TagKeys": ["team"] } },
    ...passRoles(roles),
  ],
  DescribeTasks: (target) => [{ action: "ecs:DescribeTasks", resource: arnsOf(target).task, context: { "ecs:cluster": arnsOf(target).cluster } }],
  StopTask: (target) => [{ action: "ecs:StopTask", resource: arnsOf(target).task, context: { "ecs:cluster": arnsOf(target).cluster } }],
};

/** The call is authorized on the service and on its deployment or revision (both resource types are required). */
function serviceDeploymentCalls(target: ReleaseTarget, action: string, child: string): Call[] {
  if (target.kind !== "service") return [];
  const { cluster, service } = arnsOf(target);
  return [
    { action, resource: service, context: { "ecs:cluster": cluster } },
    { action, resource: child, context: { "ecs:cluster": cluster, "ecs:service": service } },
  ];
}

function passRoles(roles: { task: string; execution: string }): Call[] {
  return [roles.task, roles.execution].map((role) => ({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": ECS_TASKS } }));
}

async function decide(policy: Policy, call: Call): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/acme-api-deploy/GitHubActions`,
        action: call.action,
        resource: { resource: call.resource, accountId: call.resource === "*" ? ACCOUNT : (call.resource.split(":")[4] || ACCOUNT) },
        contextVariables: call.context ?? {},
      },
      identityPolicies: [{ name: "deploy", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // An unknown action, a resource of the wrong type or a condition key the action does not have is a broken test, not a denial.
  if (response.resultType === "error") throw new Error(`${call.action} on ${call.resource}: ${JSON.stringify(response.errors)}`);
  if (response.resultType === "single" && response.result.ignoredContextKeys && response.result.ignoredContextKeys.length > 0) {
    throw new Error(`${call.action}: context keys ignored by the simulator: ${response.result.ignoredContextKeys.join(", ")}`);
  }
  return response.overallResult;
}

test("the table covers every AWS command the release tool sends, and no other", () => {
  const source = fs.readFileSync(path.resolve(__dirname, "../../release/operations.ts"), "utf8");
  const sent = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((match) => match[1]))].sort();
  expect(sent).toEqual(Object.keys(CALLS_BY_COMMAND).sort());
});

describe.each(Object.keys(ENVIRONMENTS))("%s deploy role (synthesized policy)", (environment) => {
  const { json, config } = synthEnvironment(environment);
  const policy = deployPolicy(json);
  const targets = environmentTargets(config);
  const roleArn = (name: string) => `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`;
  const rolesOf = (target: ReleaseTarget) => {
    const stem = target.family.replace(new RegExp(`-${config.environment}$`), "");
    return { task: roleArn(`${stem}-task-${config.environment}`), execution: roleArn(`${stem}-execution-${config.environment}`) };
  };
  // Another environment's service: another registered one, or a shipped example where only one is registered.
  const otherConfig = parseEnvironmentConfig(Object.entries({ ...EXAMPLES, ...ENVIRONMENTS }).find(([name]) => name !== environment)?.[1]);
  const otherEnvironment = otherConfig.environment;
  const other = environmentTargets(otherConfig).find((target) => target.kind === "service") as ReleaseTarget;

  const allowed = targets.flatMap((target) =>
    Object.entries(CALLS_BY_COMMAND).flatMap(([command, calls]) => calls(target, rolesOf(target)).map((call) => [`${target.name}: ${command} → ${call.action} on ${call.resource}`, call] as const)),
  );

  test("names real roles: the task and execution roles the simulation passes exist in the stack", () => {
    const names = resourcesOfType(json, "aws_iam_role").map((role) => roleArn(role.name as string));
    for (const target of targets) expect(names).toEqual(expect.arrayContaining(Object.values(rolesOf(target))));
  });

  test.each(allowed)("allows %s", async (_name, call) => {
    expect(await decide(policy, call)).toBe("Allowed");
  });

  const service = targets.find((target) => target.kind === "service") as ReleaseTarget;
  const own = arnsOf(service);
  const denied: Array<[string, Call]> = [
    ["UpdateService of the other environment's service", { action: "ecs:UpdateService", resource: arnsOf(other).service, context: { "ecs:cluster": arnsOf(other).cluster } }],
    ["DescribeServices of the other environment's service", { action: "ecs:DescribeServices", resource: arnsOf(other).service, context: { "ecs:cluster": arnsOf(other).cluster } }],
    ["UpdateService of the same names in another account", { action: "ecs:UpdateService", resource: arnsOf(service, OTHER_ACCOUNT).service, context: { "ecs:cluster": arnsOf(service, OTHER_ACCOUNT).cluster } }],
    ["UpdateService of another service in this cluster", { action: "ecs:UpdateService", resource: `${own.cluster.replace(":cluster/", ":service/")}/unmanaged`, context: { "ecs:cluster": own.cluster } }],
    ["RegisterTaskDefinition of the other environment's family", { action: "ecs:RegisterTaskDefinition", resource: arnsOf(other).revision(1) }],
    ["RegisterTaskDefinition of an unrelated family", { action: "ecs:RegisterTaskDefinition", resource: own.revision(1, "payroll") }],
    ["RunTask of this family on the other environment's cluster", { action: "ecs:RunTask", resource: own.revision(7), context: { "ecs:cluster": arnsOf(other).cluster } }],
    ["RunTask of an unrelated family on this cluster", { action: "ecs:RunTask", resource: own.revision(7, "payroll"), context: { "ecs:cluster": own.cluster } }],
    ["RunTask of this family in another account", { action: "ecs:RunTask", resource: arnsOf(service, OTHER_ACCOUNT).revision(7), context: { "ecs:cluster": arnsOf(service, OTHER_ACCOUNT).cluster } }],
    ["StopTask on the other environment's cluster", { action: "ecs:StopTask", resource: arnsOf(other).task, context: { "ecs:cluster": arnsOf(other).cluster } }],
    ["TagResource on an existing service (no create action)", { action: "ecs:TagResource", resource: own.service, context: { "aws:RequestTag/team": "x", "aws:TagKeys": ["team"] } }],
    ["TagResource on another family's new revision", { action: "ecs:TagResource", resource: own.revision(1, "payroll"), context: { "ecs:CreateAction": "RegisterTaskDefinition" } }],
    ["PassRole of the instance role", { action: "iam:PassRole", resource: roleArn(`${config.project}-ecs-instance-${config.environment}`), context: { "iam:PassedToService": ECS_TASKS } }],
    ["PassRole of the other environment's task role", { action: "iam:PassRole", resource: roleArn(`${config.project}-${other.name}-task-${otherEnvironment}`), context: { "iam:PassedToService": ECS_TASKS } }],
    ["PassRole of this task role to Lambda", { action: "iam:PassRole", resource: rolesOf(service).task, context: { "iam:PassedToService": "lambda.amazonaws.com" } }],
    ["RegisterTaskDefinition of the config family (Terraform's)", { action: "ecs:RegisterTaskDefinition", resource: own.revision(1, service.configFamily) }],
    ["RunTask of the config family", { action: "ecs:RunTask", resource: own.revision(1, service.configFamily), context: { "ecs:cluster": own.cluster } }],
    ["StopServiceDeployment of the other environment's service", { action: "ecs:StopServiceDeployment", resource: arnsOf(other).serviceDeployment, context: { "ecs:cluster": arnsOf(other).cluster, "ecs:service": arnsOf(other).service } }],
    ["DescribeServiceRevisions of another service in this cluster", { action: "ecs:DescribeServiceRevisions", resource: `${own.cluster.replace(":cluster/", ":service-revision/")}/unmanaged/1`, context: { "ecs:cluster": own.cluster } }],
    ["DeleteService", { action: "ecs:DeleteService", resource: own.service, context: { "ecs:cluster": own.cluster } }],
  ];

  test.each(denied)("denies %s", async (_name, call) => {
    expect(await decide(policy, call)).toBe("ImplicitlyDenied");
  });
});
