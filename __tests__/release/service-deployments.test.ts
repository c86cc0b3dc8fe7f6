/**
 * Following a deployment through ECS's service-deployment record (ListServiceDeployments / DescribeServiceDeployments),
 * for every strategy: aws-sdk-client-mock sequences in the SDK's shapes, stage by stage.
 */
import {
  ConflictException,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceDeploymentLifecycleStage,
  type ServiceDeploymentStatus,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { briefOfDeployment, describeServiceDeployment, newestFirst, rollbackReason, triggerOf, verdictOf } from "../../release/service-deployments";
import { apiService, awsError, CLUSTER, CONFIG_FAMILY, deployment, IMAGE, liveTaskDefinition, NEW_DEPLOYMENT, OLD_DEPLOYMENT, OLD_IMAGE, revisionArn, runCli, serviceDeploymentArn, serviceRevisionArn, T0 } from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const SERVICE_ARN = `arn:aws:ecs:eu-west-1:123456789012:service/${CLUSTER}/api`;
const MINE = serviceDeploymentArn("Gp2aUn4xYp1qF3mK");
const OLD_NUMBER = OLD_DEPLOYMENT.split("/")[1];
const NEW_NUMBER = NEW_DEPLOYMENT.split("/")[1];

/** A service deployment as DescribeServiceDeployments returns it. */
function record(status: ServiceDeploymentStatus, lifecycleStage?: ServiceDeploymentLifecycleStage, extra: Partial<ServiceDeployment> = {}): ServiceDeployment {
  return {
    serviceDeploymentArn: MINE,
    serviceArn: SERVICE_ARN,
    clusterArn: `arn:aws:ecs:eu-west-1:123456789012:cluster/${CLUSTER}`,
    createdAt: new Date(T0),
    startedAt: new Date(T0),
    updatedAt: new Date(T0),
    sourceServiceRevisions: [{ arn: serviceRevisionArn(OLD_NUMBER), requestedTaskCount: 4, runningTaskCount: 4, pendingTaskCount: 0 }],
    targetServiceRevision: { arn: serviceRevisionArn(NEW_NUMBER), requestedTaskCount: 4, runningTaskCount: 4, pendingTaskCount: 0 },
    status,
    ...(lifecycleStage && { lifecycleStage }),
    deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
    alarms: { status: "MONITORING", alarmNames: ["acme-api-api-production-target-5xx"], triggeredAlarmNames: [] },
    ...extra,
  };
}
const weights = (production: number, test = production) => ({
  targetServiceRevision: { arn: serviceRevisionArn(NEW_NUMBER), requestedTaskCount: 4, runningTaskCount: 4, pendingTaskCount: 0, requestedProductionTrafficWeight: production, requestedTestTrafficWeight: test },
});
const brief = (status: ServiceDeploymentStatus, arn = MINE, target = serviceRevisionArn(NEW_NUMBER), finished?: number): ServiceDeploymentBrief => ({
  serviceDeploymentArn: arn,
  serviceArn: SERVICE_ARN,
  status,
  targetServiceRevisionArn: target,
  createdAt: new Date(T0),
  ...(finished !== undefined && { finishedAt: new Date(finished) }),
});

const triggeredAlarm = () => ({ status: "TRIGGERED" as const, alarmNames: ["acme-api-api-production-target-5xx"], triggeredAlarmNames: ["acme-api-api-production-target-5xx"] });
const idle = () => apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]);
const deploying = () => apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "IN_PROGRESS"), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]);

/** A production `api` deploy of revision 8 whose service-deployment record goes through `records`. */
function givenDeploy(records: ServiceDeployment[]) {
  ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [deploying()] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).resolves(liveTaskDefinition(3, OLD_IMAGE, CONFIG_FAMILY));
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: liveTaskDefinition(8, IMAGE).taskDefinition });
  ecs.on(UpdateServiceCommand).resolves({ service: deploying() });
  // before: nothing in progress; then (eventual consistency) the new record shows on the second look
  ecs
    .on(ListServiceDeploymentsCommand)
    .resolvesOnce({ serviceDeployments: [] })
    .resolvesOnce({ serviceDeployments: [brief("SUCCESSFUL", serviceDeploymentArn("older"), serviceRevisionArn(OLD_NUMBER))] })
    .resolves({ serviceDeployments: [brief("PENDING"), brief("SUCCESSFUL", serviceDeploymentArn("older"), serviceRevisionArn(OLD_NUMBER))] });
  const sequence = ecs.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [MINE] });
  records.forEach((next, index) => (index === records.length - 1 ? sequence.resolves({ serviceDeployments: [next], failures: [] }) : sequence.resolvesOnce({ serviceDeployments: [next], failures: [] })));
}

const CANARY: Array<[ServiceDeploymentStatus, ServiceDeploymentLifecycleStage | undefined, Partial<ServiceDeployment>]> = [
  ["PENDING", undefined, {}],
  ["IN_PROGRESS", "RECONCILE_SERVICE", {}],
  ["IN_PROGRESS", "PRE_SCALE_UP", {}],
  ["IN_PROGRESS", "SCALE_UP", {}],
  ["IN_PROGRESS", "POST_SCALE_UP", {}],
  ["IN_PROGRESS", "TEST_TRAFFIC_SHIFT", weights(0, 100)],
  ["IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", { ...weights(0, 100), lifecycleHookDetails: [{ hookId: "smoke", targetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke", status: "IN_PROGRESS" }] }],
  ["IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", weights(10)],
  ["IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", weights(100)],
  ["IN_PROGRESS", "POST_PRODUCTION_TRAFFIC_SHIFT", weights(100)],
  ["IN_PROGRESS", "BAKE_TIME", weights(100)],
  ["IN_PROGRESS", "CLEAN_UP", weights(100)],
  ["SUCCESSFUL", undefined, weights(100)],
];

describe("deploy follows its service deployment", () => {
  test("a canary: prints every lifecycle stage and traffic step as it happens, succeeds only at SUCCESSFUL (after bake time)", async () => {
    // GIVEN the service's deployments[] show COMPLETED early (rolloutState knows nothing of the bake)
    givenDeploy(CANARY.map(([status, stage, extra]) => record(status, stage, extra)));
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "COMPLETED")])] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    // THEN it waited for the record, not rolloutState
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", serviceDeploymentArn: MINE, deploymentId: NEW_DEPLOYMENT, taskDefinition: revisionArn(8) });
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, CANARY.length);
    expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { cluster: CLUSTER, service: "api", createdAt: { after: new Date(T0 - 60_000) } });
    // (lines like "COMPLETED, 4/4 running" are deployments[] while the record is not visible yet)
    const lines = result.stderr
      .split("\n")
      .filter((line) => line.includes(`deployment ${NEW_DEPLOYMENT}: `))
      .map((line) => line.replace(/^.*?: /, ""))
      .filter((line) => !/^\w+,/.test(line));
    expect(lines.map((line) => line.split(";")[0])).toEqual(CANARY.map(([status, stage]) => `${status}${stage ? ` ${stage}` : ""}`));
    expect(lines[5]).toContain("traffic to the new revision: production 0 %, test 100 %");
    expect(lines[6]).toContain("hook arn:aws:lambda:eu-west-1:123456789012:function:smoke IN_PROGRESS");
    expect(lines[7]).toContain("production 10 %");
    expect(lines[8]).toContain("production 100 %");
    expect(result.stderr).toContain(`following service deployment ${MINE}`);
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });

  test("a rolling service: the same record, without traffic steps", async () => {
    givenDeploy([record("IN_PROGRESS", "SCALE_UP", { targetServiceRevision: { arn: serviceRevisionArn(NEW_NUMBER), requestedTaskCount: 4, runningTaskCount: 2, pendingTaskCount: 2 } }), record("SUCCESSFUL")]);
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`deployment ${NEW_DEPLOYMENT}: IN_PROGRESS SCALE_UP; 2/4 new tasks running, 2 pending`);
    expect(result.stderr).not.toContain("traffic to the new revision");
  });

  test.each([
    [
      "an alarm during bake time",
      [record("IN_PROGRESS", "BAKE_TIME", weights(100)), record("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", { ...weights(0), alarms: triggeredAlarm() })],
      triggeredAlarm(),
      "alarm",
      "alarms in ALARM: acme-api-api-production-target-5xx",
    ],
    [
      "a failed test-traffic hook",
      [record("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", { lifecycleHookDetails: [{ hookId: "smoke", targetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke", status: "FAILED" }] })],
      undefined,
      "hook",
      "hook arn:aws:lambda:eu-west-1:123456789012:function:smoke FAILED",
    ],
    [
      "the circuit breaker",
      [record("IN_PROGRESS", "SCALE_UP")],
      undefined,
      "circuit-breaker",
      "circuit breaker: 3 failed tasks of 3 allowed",
    ],
  ] as const)("rolled back by %s: followed to ROLLBACK_SUCCESSFUL, reported with its reason (exit 1), its revision deregistered", async (_case, before, alarms, trigger, reason) => {
    const final = record("ROLLBACK_SUCCESSFUL", undefined, {
      statusReason: "Service deployment rolled back.",
      rollback: { reason: "Service deployment rolled back because of a failure.", startedAt: new Date(T0), serviceRevisionArn: serviceRevisionArn(OLD_NUMBER) },
      ...(alarms && { alarms }),
      ...(trigger === "hook" && { lifecycleHookDetails: [{ hookId: "smoke", targetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke", status: "FAILED" as const }] }),
      ...(trigger === "circuit-breaker" && { deploymentCircuitBreaker: { status: "TRIGGERED" as const, failureCount: 3, threshold: 3 } }),
    });
    givenDeploy([...before, final]);

    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "rolled-back", rollbackTrigger: trigger, rolledBackTo: revisionArn(7), deregistered: [revisionArn(8)] });
    expect(result.json().reason).toContain(reason);
    expect(result.json().reason).toContain("Service deployment rolled back because of a failure.");
    expect(result.stderr).toContain(`error: deploy rolled back by the ${trigger}`);
  });

  test.each([
    ["ROLLBACK_FAILED", record("ROLLBACK_FAILED", undefined, { statusReason: "Rollback failed: tasks of the previous revision failed to start." }), "the deployment failed and so did its rollback"],
    ["STOPPED", record("STOPPED", undefined, { statusReason: "Service deployment stopped by user." }), "the deployment was stopped: Service deployment stopped by user."],
  ] as const)("%s is a failure (exit 1) with ECS's reason", async (_status, final, reason) => {
    givenDeploy([record("STOP_REQUESTED", "SCALE_UP"), final]);
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: expect.stringContaining(reason) });
    expect(result.stderr).toContain(`deployment ${NEW_DEPLOYMENT}: STOP_REQUESTED SCALE_UP`);
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: revisionArn(8) });
  });

  test("transient errors while polling the record are retried; the last stage seen is in the result", async () => {
    givenDeploy([]);
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [record("IN_PROGRESS", "BAKE_TIME")] })
      .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
      .resolves({ serviceDeployments: [record("SUCCESSFUL", "CLEAN_UP")] });
    ecs.on(ListServiceDeploymentsCommand).resolvesOnce({ serviceDeployments: [] }).rejectsOnce(awsError("ThrottlingException", "Rate exceeded")).resolves({ serviceDeployments: [brief("IN_PROGRESS")] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("DescribeServiceDeployments: ThrottlingException, polling again");
    expect(result.stderr).toContain("ListServiceDeployments: ThrottlingException, polling again");
    expect(result.json()).toMatchObject({ outcome: "succeeded", lifecycleStage: "CLEAN_UP" });
  });

  test("an AccessDenied on the record ends the command (the deploy role must allow it)", async () => {
    givenDeploy([]);
    ecs.on(DescribeServiceDeploymentsCommand).rejects(awsError("AccessDeniedException", "not authorized to perform: ecs:DescribeServiceDeployments"));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: AccessDeniedException: not authorized to perform: ecs:DescribeServiceDeployments");
  });

  test("refuses to start while ECS's record shows a deployment in progress, even if deployments[] looks idle", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [idle()] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief("ROLLBACK_IN_PROGRESS")] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("service deployment ROLLBACK_IN_PROGRESS): not starting a deploy");
    expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { status: ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"] });
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });
});

describe("rollback", () => {
  test("during a deployment: StopServiceDeployment (ROLLBACK), followed until ECS is back, reporting where it landed", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief("IN_PROGRESS")] });
    ecs.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: [serviceRevisionArn(NEW_NUMBER)] }).resolves({ serviceRevisions: [{ serviceRevisionArn: serviceRevisionArn(NEW_NUMBER), taskDefinition: revisionArn(8) }] });
    ecs.on(DescribeServiceRevisionsCommand, { serviceRevisionArns: [serviceRevisionArn(OLD_NUMBER)] }).resolves({ serviceRevisions: [{ serviceRevisionArn: serviceRevisionArn(OLD_NUMBER), taskDefinition: revisionArn(7) }] });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: MINE });
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [record("ROLLBACK_REQUESTED", "BAKE_TIME")] })
      .resolvesOnce({ serviceDeployments: [record("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", weights(0))] })
      .resolves({ serviceDeployments: [record("ROLLBACK_SUCCESSFUL", undefined, { rollback: { reason: "Service deployment rolled back because of a ROLLBACK stop request.", serviceRevisionArn: serviceRevisionArn(OLD_NUMBER) } })] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));

    const result = await runCli(["rollback", "production", "api", "--json"]);

    expect(result.code).toBe(0);
    expect(ecs.commandCalls(StopServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ serviceDeploymentArn: MINE, stopType: "ROLLBACK" }]);
    expect(result.json()).toMatchObject({ outcome: "succeeded", command: "rollback", taskDefinition: revisionArn(7), image: OLD_IMAGE, previousTaskDefinition: revisionArn(8), deregistered: [revisionArn(8)] });
    expect(result.stderr).toContain(`stopping service deployment ${MINE} of acme-api-api-production:8 with a rollback`);
    expect(result.stderr).toContain("ROLLBACK_IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT");
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test("never rolls back twice: refuses while ECS is already rolling back", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief("ROLLBACK_IN_PROGRESS")] });
    const result = await runCli(["rollback", "production", "api"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is already rolling back service deployment");
    expect(ecs).not.toHaveReceivedCommand(StopServiceDeploymentCommand);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test("a ConflictException from StopServiceDeployment is reported (exit 1)", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief("IN_PROGRESS")] });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [] });
    ecs.on(StopServiceDeploymentCommand).rejects(new ConflictException({ message: "The service deployment is already finished.", $metadata: {} }));
    const result = await runCli(["rollback", "production", "api", "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: expect.stringContaining("ConflictException") });
  });

  test("when idle: the newest SUCCESSFUL deployment with another image, paging through the history, deployed as a new revision", async () => {
    // GIVEN history (unordered, two pages): 7 runs now, 6 had the same image, 5 is the release before; 4 is older
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [apiService([deployment(NEW_DEPLOYMENT, 9, "PRIMARY", "COMPLETED")])] });
    ecs
      .on(ListServiceDeploymentsCommand, { status: ["SUCCESSFUL"] })
      .resolvesOnce({ serviceDeployments: [brief("SUCCESSFUL", serviceDeploymentArn("d4"), serviceRevisionArn("4"), T0 - 40_000), brief("SUCCESSFUL", serviceDeploymentArn("d7"), serviceRevisionArn("7"), T0 - 10_000)], nextToken: "page-2" })
      .resolvesOnce({ serviceDeployments: [brief("SUCCESSFUL", serviceDeploymentArn("d5"), serviceRevisionArn("5"), T0 - 30_000), brief("SUCCESSFUL", serviceDeploymentArn("d6"), serviceRevisionArn("6"), T0 - 20_000)] });
    ecs.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }) => ({
      serviceRevisions: (serviceRevisionArns as string[]).map((arn) => ({ serviceRevisionArn: arn, taskDefinition: revisionArn(Number(arn.split("/").pop())) })),
    }));
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7, IMAGE));
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(6) }).resolves(liveTaskDefinition(6, IMAGE));
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(5) }).resolves(liveTaskDefinition(5, OLD_IMAGE));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: liveTaskDefinition(9, OLD_IMAGE).taskDefinition });
    ecs.on(UpdateServiceCommand).resolves({ service: apiService([deployment(NEW_DEPLOYMENT, 9, "PRIMARY", "IN_PROGRESS"), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]) });

    const result = await runCli(["rollback", "production", "api", "--json"]);

    expect(result.code).toBe(0);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand, { status: ["SUCCESSFUL"] }).map((call) => call.args[0].input.nextToken)).toEqual([undefined, "page-2"]);
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered).toMatchObject({ family: "acme-api-api-production", containerDefinitions: [expect.objectContaining({ image: OLD_IMAGE })] });
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { taskDefinition: revisionArn(9) });
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: OLD_IMAGE, restoredFrom: revisionArn(5), taskDefinition: revisionArn(9), previousTaskDefinition: revisionArn(7) });
    expect(result.stderr).toContain(`rolling api back from acme-api-api-production:7 (${IMAGE}) to the release of acme-api-api-production:5 (${OLD_IMAGE})`);
    expect(ecs).not.toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(4) });
  });

  test("refuses a service that runs another family than the config names (exit 1, nothing changed)", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [apiService([{ ...deployment(OLD_DEPLOYMENT, 3, "PRIMARY", "COMPLETED"), taskDefinition: revisionArn(3, "hand-made") }])] });
    const result = await runCli(["rollback", "production", "api"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("api runs hand-made:3, not a revision of acme-api-api-production");
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test("with only same-image releases in the history it names what it skipped", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [idle()] });
    ecs.on(ListServiceDeploymentsCommand, { status: ["SUCCESSFUL"] }).resolves({ serviceDeployments: [brief("SUCCESSFUL", serviceDeploymentArn("d6"), serviceRevisionArn("6"), T0)] });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: serviceRevisionArn("6"), taskDefinition: revisionArn(6) }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7, IMAGE));
    const result = await runCli(["rollback", "production", "api"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no earlier successful release of api with an image other than ${IMAGE} in ECS's deployment history (the last 90 days); skipped acme-api-api-production:6 (same image)`);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });
});

describe("status", () => {
  test("shows the stage of a deployment in progress", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(8, IMAGE));
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [brief("IN_PROGRESS")] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [record("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", weights(10))] });
    const result = await runCli(["status", "production", "api"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`    deployment in progress: IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT; traffic to the new revision: production 10 %, test 10 %; 4/4 new tasks running, 0 pending (${MINE})`);
  });
});

describe("reading the record", () => {
  test.each([
    ["SUCCESSFUL", record("SUCCESSFUL"), { outcome: "succeeded" }],
    ["ROLLBACK_SUCCESSFUL", record("ROLLBACK_SUCCESSFUL", undefined, { rollback: { reason: "why" } }), { outcome: "rolled-back", trigger: "unknown", reason: "why" }],
    ["ROLLBACK_FAILED", record("ROLLBACK_FAILED", undefined, { statusReason: "broken" }), { outcome: "failed", reason: "the deployment failed and so did its rollback: broken" }],
    ["STOPPED", record("STOPPED"), { outcome: "failed", reason: "the deployment was stopped: no reason given" }],
    ["PENDING", record("PENDING"), undefined],
    ["IN_PROGRESS", record("IN_PROGRESS"), undefined],
    ["STOP_REQUESTED", record("STOP_REQUESTED"), undefined],
    ["ROLLBACK_REQUESTED", record("ROLLBACK_REQUESTED"), undefined],
    ["ROLLBACK_IN_PROGRESS", record("ROLLBACK_IN_PROGRESS"), undefined],
  ] as const)("verdict of %s", (_status, given, expected) => {
    expect(verdictOf(given)).toEqual(expected);
  });

  test.each([
    ["an alarm", { alarms: { status: "TRIGGERED" as const } }, "alarm"],
    ["the breaker", { deploymentCircuitBreaker: { status: "TRIGGERED" as const } }, "circuit-breaker"],
    ["a timed-out hook", { lifecycleHookDetails: [{ status: "TIMED_OUT" as const }] }, "hook"],
    ["a stop request", { rollback: { reason: "rolled back because of a ROLLBACK stop request" } }, "manual"],
    ["a stop in the status reason", { statusReason: "Stopped by user" }, "manual"],
    ["nothing known", { alarms: { status: "MONITORING" as const }, lifecycleHookDetails: [{ status: "SUCCEEDED" as const }] }, "unknown"],
  ])("trigger: %s", (_case, extra, trigger) => {
    expect(triggerOf({ ...record("ROLLBACK_SUCCESSFUL"), ...extra })).toBe(trigger);
  });

  test("the reason joins ECS's texts, alarms, breaker counts and failed hooks, without repeats", () => {
    const given = record("ROLLBACK_SUCCESSFUL", undefined, {
      rollback: { reason: "same" },
      statusReason: "same",
      alarms: { status: "TRIGGERED", triggeredAlarmNames: ["a", "b"] },
      deploymentCircuitBreaker: { status: "TRIGGERED" },
      lifecycleHookDetails: [{ hookId: "h1", status: "TIMED_OUT" }, { targetArn: "arn:h2", status: "SUCCEEDED" }],
    });
    expect(rollbackReason(given)).toBe("same; alarms in ALARM: a, b; circuit breaker: ? failed tasks of ? allowed; hook h1 TIMED_OUT");
    expect(rollbackReason({})).toBe("no reason given");
  });

  test("describes status, stage, traffic, tasks, hooks, alarms and breaker counts", () => {
    expect(describeServiceDeployment({})).toBe("UNKNOWN");
    expect(
      describeServiceDeployment({
        ...record("IN_PROGRESS", "SCALE_UP", { targetServiceRevision: { requestedTestTrafficWeight: 100 } }),
        lifecycleHookDetails: [{ hookId: "h" }],
        alarms: { triggeredAlarmNames: ["x"] },
        deploymentCircuitBreaker: { failureCount: 2 },
      }),
    ).toBe("IN_PROGRESS SCALE_UP; traffic to the new revision: production 0 %, test 100 %; 0/0 new tasks running, 0 pending; hook h ?; alarms in ALARM: x; 2/? failed tasks");
  });

  test("finds the record of a deployment by its number and orders history by finish time", () => {
    const briefs = [brief("IN_PROGRESS", serviceDeploymentArn("a"), serviceRevisionArn("12")), brief("IN_PROGRESS", serviceDeploymentArn("b"), serviceRevisionArn("123"))];
    expect(briefOfDeployment(briefs, "ecs-svc/123")?.serviceDeploymentArn).toBe(serviceDeploymentArn("b"));
    expect(briefOfDeployment(briefs, "ecs-svc/1")).toBeUndefined();
    const ordered = newestFirst([
      { serviceDeploymentArn: "old", finishedAt: new Date(1) },
      { serviceDeploymentArn: "unfinished", createdAt: new Date(3) },
      { serviceDeploymentArn: "new", finishedAt: new Date(2) },
      { serviceDeploymentArn: "unknown" },
    ]);
    expect(ordered.map((entry) => entry.serviceDeploymentArn)).toEqual(["unfinished", "new", "old", "unknown"]);
  });
});
