/** The release tool's less travelled paths: each one ends with a clear result, never a stack trace or a wrong exit code. */
import {
  AccessDeniedException,
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
  type ServiceDeploymentStatus,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiService, CONFIG_FAMILY, deployment, fakeClock, IMAGE, liveTaskDefinition, NEW_DEPLOYMENT, OLD_DEPLOYMENT, OLD_IMAGE, revisionArn, runCli, serviceDeploymentArn, serviceRevisionArn, T0 } from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const SD = serviceDeploymentArn("abc");
const idle = () => apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]);
const deploying = () => apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "IN_PROGRESS"), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]);

function givenDeploy() {
  ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).resolves(liveTaskDefinition(3, OLD_IMAGE, CONFIG_FAMILY));
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: liveTaskDefinition(8, IMAGE).taskDefinition });
  ecs.on(UpdateServiceCommand).resolves({ service: deploying() });
}

describe("deploy", () => {
  test("a FAILED deployment of a service without automatic rollback is a failure, not a rollback", async () => {
    givenDeploy();
    const failed = apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "FAILED", { rolloutStateReason: "tasks failed to start" }), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]);
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [{ ...failed, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: `deployment ${NEW_DEPLOYMENT} failed: tasks failed to start` });
    expect(result.json().rolledBackTo).toBeUndefined();
    expect(result.json().rollbackTrigger).toBeUndefined();
  });

  test("someone else's deploy replacing ours is reported as superseded", async () => {
    givenDeploy();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [apiService([deployment("ecs-svc/3", 9, "PRIMARY", "IN_PROGRESS")])] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", rolledBackTo: revisionArn(9), reason: `deployment ${NEW_DEPLOYMENT} was superseded by a deployment of acme-api-api-production:9` });
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: revisionArn(8) });
  });

  test("a rolled-back deployment whose reason names no mechanism has trigger unknown and a summary without one", async () => {
    givenDeploy();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [apiService([deployment("ecs-svc/3", 7, "PRIMARY", "COMPLETED")])] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.json()).toMatchObject({ outcome: "rolled-back", rollbackTrigger: "unknown", reason: `deployment ${NEW_DEPLOYMENT} was rolled back to acme-api-api-production:7` });
    expect(result.stderr).toMatch(/^error: deploy rolled back: deployment /m);
  });

  test("a job deploy without --image keeps the job's running image and takes the config's definition", async () => {
    const family = "acme-api-smoke-check-job-staging";
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: family }).resolves(liveTaskDefinition(3, "busybox:1.36", family, "smoke-check"));
    const config = liveTaskDefinition(2, "busybox:config", `${family}_config`, "smoke-check");
    config.taskDefinition.containerDefinitions![0].memory = 64;
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: `${family}_config` }).resolves(config);
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: liveTaskDefinition(4, "busybox:1.36", family, "smoke-check").taskDefinition });
    const result = await runCli(["deploy", "staging", "smoke-check", "--json"]);
    expect(result.code).toBe(0);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input).toMatchObject({ family, containerDefinitions: [expect.objectContaining({ image: "busybox:1.36", memory: 64 })] });
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: "busybox:1.36", previousTaskDefinition: revisionArn(3, family), taskDefinition: revisionArn(4, family) });
    expect(result.stderr).toContain(`the schedule runs ${family}:4 from its next run (the latest ACTIVE revision of ${family})`);
  });

  test("without --image, a running revision without the service's container asks for --image", async () => {
    givenDeploy();
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(7) }).resolves(liveTaskDefinition(7, OLD_IMAGE, "acme-api-api-production", "web"));
    const result = await runCli(["deploy", "production", "api"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: acme-api-api-production:7 has no container "api": pass --image');
  });

  test.each([
    ["RegisterTaskDefinition returns no revision", () => ecs.on(RegisterTaskDefinitionCommand).resolves({}), "RegisterTaskDefinition returned no task definition"],
    ["DescribeTaskDefinition returns nothing", () => ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).resolves({}), `DescribeTaskDefinition returned nothing for ${CONFIG_FAMILY}`],
    ["the config family cannot be read", () => ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).rejects(new AccessDeniedException({ message: "no", $metadata: {} })), "AccessDeniedException: no"],
    ["ListServiceDeployments is refused", () => ecs.on(ListServiceDeploymentsCommand).rejects(new AccessDeniedException({ message: "not allowed", $metadata: {} })), "AccessDeniedException: not allowed"],
  ])("%s: a failure with that message (exit 1)", async (_case, given, message) => {
    givenDeploy();
    given();
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${message}`);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test("while the record is not found yet, a non-transient ListServiceDeployments error ends the command", async () => {
    givenDeploy();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolvesOnce({ serviceDeployments: [] }).rejects(new AccessDeniedException({ message: "denied later", $metadata: {} }));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: AccessDeniedException: denied later");
  });

  test("a record that answers with nothing is polled again", async () => {
    givenDeploy();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [idle()] }).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolvesOnce({ serviceDeployments: [] }).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: "IN_PROGRESS", targetServiceRevisionArn: serviceRevisionArn(NEW_DEPLOYMENT.split("/")[1]) }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolvesOnce({ serviceDeployments: [] }).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: "SUCCESSFUL" }] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(0);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 2);
    expect(result.json().lifecycleStage).toBeUndefined();
  });
});

describe("rollback", () => {
  const stopGiven = (records: ServiceDeploymentStatus[]) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: "IN_PROGRESS", targetServiceRevisionArn: serviceRevisionArn("8") }] });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ serviceRevisionArn: serviceRevisionArn("8"), taskDefinition: revisionArn(8) }] });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD });
    const sequence = ecs.on(DescribeServiceDeploymentsCommand);
    records.forEach((status) => sequence.resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: SD, status, statusReason: `now ${status}` }] }));
    sequence.resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: records.at(-1), statusReason: `now ${records.at(-1)}` }] });
  };

  test.each([
    ["ROLLBACK_FAILED", "failed", `service deployment ${SD} ended ROLLBACK_FAILED: now ROLLBACK_FAILED`],
    ["SUCCESSFUL", "failed", `service deployment ${SD} ended SUCCESSFUL: now SUCCESSFUL`],
  ] as const)("a stop that ends %s is %s", async (final, outcome, reason) => {
    stopGiven(["ROLLBACK_REQUESTED", final]);
    const result = await runCli(["rollback", "production", "api", "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome, reason });
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });

  test("a stop that ends STOPPED is back where it was; without a rollback target nothing is described", async () => {
    stopGiven(["STOPPED"]);
    const result = await runCli(["rollback", "production", "api", "--json"]);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", previousTaskDefinition: revisionArn(8), deregistered: [revisionArn(8)] });
    expect(result.json().taskDefinition).toBeUndefined();
    expect(ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand);
  });

  test("a rollback that does not finish in time is reported with what ECS keeps doing", async () => {
    stopGiven(["ROLLBACK_IN_PROGRESS"]);
    const result = await runCli(["rollback", "production", "api", "--timeout", "20", "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "timed-out", reason: expect.stringContaining("did not finish within 20 s (last state: ROLLBACK_IN_PROGRESS)"), ecsContinues: expect.stringContaining(`ECS keeps going with ${SD}`) });
  });

  test("a cancel while ECS rolls back is reported, and ECS goes on", async () => {
    stopGiven(["ROLLBACK_IN_PROGRESS"]);
    const cancel = new AbortController();
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      cancel.abort("SIGINT");
    };
    const result = await runCli(["rollback", "production", "api", "--json"], clock, cancel.signal);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "cancelled", reason: `cancelled while ECS rolls back ${SD}` });
    expect(result.stderr).toContain(`ECS keeps going with ${SD}`);
  });

  test("the history is read in batches of 20 revisions and at most 5 pages", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [idle()] });
    ecs.on(ListServiceDeploymentsCommand, { status: ["SUCCESSFUL"] }).callsFake(({ nextToken }) => {
      const page = Number(nextToken ?? 0);
      return {
        serviceDeployments: Array.from({ length: 5 }, (_unused, index) => ({
          serviceDeploymentArn: `${SD}${page}${index}`,
          status: "SUCCESSFUL",
          targetServiceRevisionArn: serviceRevisionArn(`${page}${index}`),
          finishedAt: new Date(T0 - (page * 5 + index) * 1000),
        })),
        nextToken: String(page + 1),
      };
    });
    ecs.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }) => ({
      serviceRevisions: (serviceRevisionArns as string[]).map((arn) => ({ serviceRevisionArn: arn, taskDefinition: revisionArn(7) })),
    }));
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
    const result = await runCli(["rollback", "production", "api"]);
    expect(result.code).toBe(1);
    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 1 + 5);
    expect(ecs.commandCalls(DescribeServiceRevisionsCommand).map((call) => call.args[0].input.serviceRevisionArns?.length)).toEqual([20, 5]);
    expect(result.stderr).toContain("no earlier successful release of api with an image other than");
    expect(result.stderr).not.toContain("skipped");
  });
});

describe("status", () => {
  test("an error other than a missing cluster is a failure with its name", async () => {
    ecs.on(DescribeServicesCommand).rejects(new AccessDeniedException({ message: "not authorized", $metadata: {} }));
    const result = await runCli(["status", "production", "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", command: "status", reason: "AccessDeniedException: not authorized" });
  });

  test("a service in progress without a record of it shows no stage", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(8, IMAGE));
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ status: "IN_PROGRESS" }] });
    const result = await runCli(["status", "production", "api", "--json"]);
    expect(result.json().targets[0].inProgress).toBeUndefined();
    expect(ecs).not.toHaveReceivedCommand(DescribeServiceDeploymentsCommand);
  });

  test("the brief stands in when the record cannot be described", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [deploying()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(8, IMAGE));
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: "PENDING" }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [{ arn: SD, reason: "MISSING" }] });
    const result = await runCli(["status", "production", "api", "--json"]);
    expect(result.json().targets[0].inProgress).toEqual({ serviceDeploymentArn: SD, status: "PENDING", summary: "PENDING" });
  });
});
