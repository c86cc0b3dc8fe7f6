import {
  AccessDeniedException,
  ClientException,
  DeregisterTaskDefinitionCommand,
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  ServerException,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  apiService,
  awsError,
  CLUSTER,
  CONFIG_FAMILY,
  deployment,
  IMAGE,
  liveTaskDefinition,
  NEW_DEPLOYMENT,
  OLD_DEPLOYMENT,
  OLD_IMAGE,
  revisionArn,
  runCli,
} from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const completed = () => apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")], [{ id: "e1", message: "(service api) has reached a steady state." }]);
const rollingOut = (running: number, state: "IN_PROGRESS" | "COMPLETED" | "FAILED" = "IN_PROGRESS", reason?: string) =>
  apiService(
    [
      deployment(NEW_DEPLOYMENT, 8, "PRIMARY", state, { runningCount: running, ...(reason && { rolloutStateReason: reason }) }),
      ...(state === "COMPLETED" ? [] : [deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED", { runningCount: 4 - running })]),
    ],
    [{ id: "e1", message: "(service api) has reached a steady state." }],
  );

const CONFIG_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0";
/** Terraform's latest revision of the configuration: the config's image, and a secret changed since revision 7. */
const configRevision = () => {
  const described = liveTaskDefinition(3, CONFIG_IMAGE, CONFIG_FAMILY, "api");
  described.taskDefinition.containerDefinitions![0].secrets = [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/production/database-url-v2" }];
  return described;
};

/** Describe → describe revision 7 and the config → register 8 → update, the common start of a production `api` deploy. */
function givenDeployStarts() {
  ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()], failures: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).resolves(configRevision());
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { ...liveTaskDefinition(8, IMAGE).taskDefinition } });
  ecs.on(UpdateServiceCommand).resolves({ service: rollingOut(0) });
}

describe("deploy <environment> <service> --image", () => {
  test("registers the config's latest revision with the image in the released family, updates without desiredCount, follows its deployment to COMPLETED", async () => {
    // GIVEN a deployment that starts, brings up tasks and completes
    givenDeployStarts();
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [completed()] })
      .resolvesOnce({ services: [rollingOut(2)] })
      .resolvesOnce({ services: [rollingOut(4)] })
      .resolvesOnce({ services: [rollingOut(4, "COMPLETED")] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    // THEN it succeeded and says so on stdout as one JSON object
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      outcome: "succeeded",
      command: "deploy",
      environment: "production",
      cluster: CLUSTER,
      service: "api",
      family: "acme-api-api-production",
      previousTaskDefinition: revisionArn(7),
      taskDefinition: revisionArn(8),
      image: IMAGE,
      deploymentId: NEW_DEPLOYMENT,
    });
    // it read what the PRIMARY deployment runs (by full ARN) and Terraform's latest config revision, with their tags
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(7), include: ["TAGS"] });
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY, include: ["TAGS"] });
    // the new revision is the config's (new secret included) with the image, in the released family: no read-only
    // fields, empty values kept, aws: tags dropped
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    const live = configRevision().taskDefinition;
    expect(registered).toEqual({
      family: "acme-api-api-production",
      taskRoleArn: live.taskRoleArn,
      executionRoleArn: live.executionRoleArn,
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      placementConstraints: [],
      volumes: [],
      containerDefinitions: [{ ...live.containerDefinitions![0], image: IMAGE }],
      tags: [
        { key: "team", value: "payments" },
        { key: "platform:registered-by", value: "deploy" },
      ],
    });
    // the update names only the revision: autoscaling owns desiredCount
    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([{ cluster: CLUSTER, service: "api", taskDefinition: revisionArn(8) }]);
    // progress: one line per state change with elapsed seconds
    expect(result.stderr).toMatch(/\[\s+0s\] registered acme-api-api-production:8 \(acme-api-api-production_config:3 with api → .*acme-api:1\.5\.0\)/);
    expect(result.stderr).toMatch(/\[\s+\d+s\] deployment ecs-svc\/2222222222222222222: IN_PROGRESS, 2\/4 running/);
    expect(result.stderr).toMatch(/\[\s+\d+s\] deployment ecs-svc\/2222222222222222222: COMPLETED, 4\/4 running/);
    expect(result.stderr).toContain("done: api runs acme-api-api-production:8 (123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.5.0)");
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });

  test("without --image it ships the configuration with the image running now", async () => {
    givenDeployStarts();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()] }).resolves({ services: [rollingOut(4, "COMPLETED")] });
    const result = await runCli(["deploy", "production", "api", "--json"]);
    expect(result.code).toBe(0);
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.containerDefinitions?.[0]).toMatchObject({ image: OLD_IMAGE, secrets: configRevision().taskDefinition.containerDefinitions![0].secrets });
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: OLD_IMAGE });
  });

  test("before registering, retires revisions newer than the running release that a release registered and never released (a cancelled deploy's); Terraform's stay", async () => {
    givenDeployStarts();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()] }).resolves({ services: [rollingOut(4, "COMPLETED")] });
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [revisionArn(10), revisionArn(9), revisionArn(1, "acme-api-api-production_run"), revisionArn(7), revisionArn(6)] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(9) }).resolves({ ...liveTaskDefinition(9), tags: [{ key: "platform:registered-by", value: "deploy" }] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(10) }).resolves({ ...liveTaskDefinition(10), tags: [{ key: "team", value: "payments" }] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("left acme-api-api-production:10 alone: newer than the running release but not registered by a release (Terraform's)");
    expect(ecs).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, { familyPrefix: "acme-api-api-production", status: "ACTIVE", sort: "DESC" });
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand).map((call) => call.args[0].input)).toEqual([{ taskDefinition: revisionArn(9) }]);
    expect(result.json().deregistered).toEqual([revisionArn(9)]);
    expect(result.stderr).toContain("deregistered acme-api-api-production:9: it is newer than the running release but was never released");
  });

  test("a deregistration that fails is reported and left to the next deploy", async () => {
    givenDeployStarts();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()] }).resolves({ services: [rollingOut(4, "COMPLETED")] });
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [revisionArn(9)] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: revisionArn(9) }).resolves({ ...liveTaskDefinition(9), tags: [{ key: "platform:registered-by", value: "deploy" }] });
    ecs.on(DeregisterTaskDefinitionCommand).rejects(new AccessDeniedException({ message: "denied", $metadata: {} }));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("could not deregister acme-api-api-production:9 (AccessDeniedException); the next deploy retires it");
    expect(result.json().deregistered).toBeUndefined();
  });

  test("a stack applied before the config family existed is told to apply first", async () => {
    givenDeployStarts();
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).rejects(new ClientException({ message: "Unable to describe task definition.", $metadata: {} }));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: acme-api-api-production_config, the configuration a release of api is built from, has no ACTIVE revision: apply the stack first (cdktf deploy production)");
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test("a deployment the circuit breaker fails is a rolled-back release (exit 1), reported as soon as it shows FAILED", async () => {
    // GIVEN the breaker trips while the old deployment still runs
    givenDeployStarts();
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [completed()] })
      .resolvesOnce({ services: [rollingOut(0)] })
      .resolvesOnce({ services: [rollingOut(0, "FAILED", "ECS deployment circuit breaker: tasks failed to start.")] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    // THEN
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({
      outcome: "rolled-back",
      rollbackTrigger: "circuit-breaker",
      rolledBackTo: revisionArn(7),
      reason: expect.stringContaining("ECS deployment circuit breaker: tasks failed to start."),
      deregistered: [revisionArn(8)],
    });
    expect(result.stderr).toContain("error: deploy rolled back by the circuit-breaker");
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: revisionArn(8) });
  });

  test("a service back on the old revision under a new PRIMARY is a rollback even though it is stable, e.g. triggered by its alarms", async () => {
    // GIVEN the 5xx alarm fires; ECS demotes our deployment and rolls back under a new deployment id
    givenDeployStarts();
    const rolledBack = apiService(
      [
        deployment("ecs-svc/3333333333333333333", 7, "PRIMARY", "COMPLETED"),
        deployment(NEW_DEPLOYMENT, 8, "ACTIVE", "FAILED", { rolloutStateReason: "ECS deployment detected triggered alarm(s): acme-api-api-production-target-5xx." }),
      ],
      [
        { id: "e3", message: "(service api) rolling back to deployment ecs-svc/3333333333333333333." },
        { id: "e1", message: "(service api) has reached a steady state." },
      ],
    );
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [completed()] })
      .resolvesOnce({ services: [rollingOut(4)] })
      .resolvesOnce({ services: [rolledBack] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    // THEN
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "rolled-back", rollbackTrigger: "alarm", rolledBackTo: revisionArn(7) });
    expect(result.stderr).toContain("event: (service api) rolling back to deployment ecs-svc/3333333333333333333.");
    expect(result.stderr).not.toContain("event: (service api) has reached a steady state.");
  });

  test("a deployment that never completes times out at --timeout (exit 1) and is left to ECS", async () => {
    // GIVEN tasks that never all come up
    givenDeployStarts();
    ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()] }).resolves({ services: [rollingOut(3)] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--timeout", "120", "--json"]);

    // THEN it polled with growing delays up to the deadline, and no longer
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "timed-out", elapsedSeconds: 120, reason: expect.stringContaining("IN_PROGRESS, 3/4 running") });
    expect(result.clock.sleeps.slice(0, 5)).toEqual([3000, 5000, 10_000, 15_000, 15_000]);
    expect(result.clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(120_000);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    // ECS may still complete it: the revision stays
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
    expect(result.json().ecsContinues).toContain("npm run release -- status production api");
  });

  test("throttling and server errors are retried with backoff, on calls and while polling", async () => {
    // GIVEN ThrottlingException (after the SDK's own retries) on the update and twice while polling, and a ServerException
    givenDeployStarts();
    ecs
      .on(UpdateServiceCommand)
      .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
      .resolves({ service: rollingOut(0) });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [completed()] })
      .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
      .rejectsOnce(new ServerException({ message: "internal error", $metadata: { httpStatusCode: 500 } }))
      .resolvesOnce({ services: [rollingOut(4, "COMPLETED")] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);

    // THEN
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("UpdateService: ThrottlingException, retrying in 1 s");
    expect(result.stderr).toContain("DescribeServices: ThrottlingException, polling again");
    expect(result.stderr).toContain("DescribeServices: ServerException, polling again");
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
  });

  test("an UpdateService response that does not show the new deployment yet is checked once more, then followed", async () => {
    // GIVEN a stale response (still the old PRIMARY), and the next describe shows ours
    givenDeployStarts();
    ecs.on(UpdateServiceCommand).resolves({ service: completed() });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [completed()] })
      .resolvesOnce({ services: [rollingOut(0)] })
      .resolves({ services: [rollingOut(4, "COMPLETED")] });

    // WHEN
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);

    // THEN
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", deploymentId: NEW_DEPLOYMENT });
  });

  test("an update that started no deployment of the new revision fails (exit 1)", async () => {
    givenDeployStarts();
    ecs.on(UpdateServiceCommand).resolves({ service: completed() });
    ecs.on(DescribeServicesCommand).resolves({ services: [completed()] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: UpdateService did not start a deployment of acme-api-api-production:8 on api");
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: revisionArn(8) });
  });

  test.each([
    ["a deployment still in progress", apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "IN_PROGRESS")]), "already rolling out deployment ecs-svc/2222222222222222222"],
    [
      "a previous deployment still draining",
      apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "COMPLETED"), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]),
      "1 older deployment(s) still draining",
    ],
  ])("refuses to start while someone else deploys: %s (exit 1, nothing registered)", async (_case, service, message) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test("refuses a service under another deployment controller (its rollouts have no rolloutState to follow)", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...completed(), deploymentController: { type: "CODE_DEPLOY" } }] });
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("uses the CODE_DEPLOY deployment controller");
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test.each([
    ["the service is missing", () => ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "x", reason: "MISSING" }] }), "service api not found in cluster acme-api-production (eu-west-1): was the stack \"production\" applied?"],
    ["the cluster is missing", () => ecs.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} })), "cluster acme-api-production does not exist in eu-west-1: was the stack \"production\" applied?"],
  ])("says clearly when %s (the stack was never applied)", async (_case, given, message) => {
    given();
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${message}`);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test("a live task definition without the service's container is refused before registering", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [completed()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7, OLD_IMAGE, "acme-api-api-production", "web"));
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: CONFIG_FAMILY }).resolves(liveTaskDefinition(3, OLD_IMAGE, CONFIG_FAMILY, "web"));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no container "api" (it has: web)');
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test("AccessDenied is final: reported without a stack trace, not retried", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [completed()] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
    ecs.on(RegisterTaskDefinitionCommand).rejects(new AccessDeniedException({ message: "not authorized to perform: ecs:TagResource", $metadata: { httpStatusCode: 400 } }));
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: AccessDeniedException: not authorized to perform: ecs:TagResource");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: expect.stringContaining("AccessDeniedException") });
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);
  });

  test("a job with its own image gets a new revision of its family from its config family, which the schedule runs next (no service to update)", async () => {
    // GIVEN staging's smoke-check job, latest ACTIVE revision 3, and Terraform's config revision
    const family = "acme-api-smoke-check-job-staging";
    const live = liveTaskDefinition(3, "public.ecr.aws/docker/library/busybox:1.36", family, "smoke-check");
    ecs.on(DescribeTaskDefinitionCommand).resolves(live);
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: `${family}_config` }).resolves(liveTaskDefinition(2, "public.ecr.aws/docker/library/busybox:1.36", `${family}_config`, "smoke-check"));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { ...live.taskDefinition, revision: 4, taskDefinitionArn: revisionArn(4, family) } });

    // WHEN
    const result = await runCli(["deploy", "staging", "smoke-check", "--image", "public.ecr.aws/docker/library/busybox:1.37", "--json"]);

    // THEN
    expect(result.code).toBe(0);
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: `${family}_config`, include: ["TAGS"] });
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.family).toBe(family);
    expect(registered.containerDefinitions?.[0].image).toBe("public.ecr.aws/docker/library/busybox:1.37");
    expect(result.json()).toMatchObject({ outcome: "succeeded", kind: "job", taskDefinition: revisionArn(4, family) });
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
  });
});

