import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiService, deployment, IMAGE, liveTaskDefinition, NEW_DEPLOYMENT, OLD_DEPLOYMENT, revisionArn, runCli } from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const completed = () => apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]);
const rollingOut = () => apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "IN_PROGRESS"), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]);

/** A production `api` deploy of revision 8 that reaches `then` on its second poll. */
async function deployUntil(then: Service) {
  ecs.on(DescribeServicesCommand).resolvesOnce({ services: [completed()] }).resolvesOnce({ services: [rollingOut()] }).resolves({ services: [then] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: "acme-api-api-production_config" }).resolves(liveTaskDefinition(3, IMAGE, "acme-api-api-production_config"));
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: liveTaskDefinition(8, IMAGE).taskDefinition });
  ecs.on(UpdateServiceCommand).resolves({ service: rollingOut() });
  const result = await runCli(["deploy", "production", "api", "--image", IMAGE, "--json"]);
  return { ...result, body: result.json() };
}

describe("a deployment ECS marks FAILED", () => {
  const failed = (configuration: Service["deploymentConfiguration"], reason?: string) => ({
    ...apiService([deployment(NEW_DEPLOYMENT, 8, "PRIMARY", "FAILED", reason === undefined ? { rolloutStateReason: undefined } : { rolloutStateReason: reason }), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")]),
    deploymentConfiguration: configuration,
  });

  // GIVEN a FAILED deployment WHEN the service rolls back on failure (breaker or alarms) THEN it is a rollback; otherwise a failure.
  test.each<[string, Service["deploymentConfiguration"], boolean]>([
    ["circuit breaker with rollback", { deploymentCircuitBreaker: { enable: true, rollback: true } }, true],
    ["alarms with rollback", { deploymentCircuitBreaker: { enable: true, rollback: false }, alarms: { alarmNames: ["a"], enable: true, rollback: true } }, true],
    ["neither rolls back", { deploymentCircuitBreaker: { enable: true, rollback: false }, alarms: { alarmNames: ["a"], enable: true, rollback: false } }, false],
    ["no deployment configuration", undefined, false],
  ])("%s → rolled back: %s", async (_name, configuration, rollsBack) => {
    const result = await deployUntil(failed(configuration, "ECS deployment circuit breaker: tasks failed to start."));
    expect(result.code).toBe(1);
    if (rollsBack) {
      expect(result.body).toMatchObject({
        outcome: "rolled-back",
        rolledBackTo: revisionArn(7),
        rollbackTrigger: "circuit-breaker",
        reason: `deployment ${NEW_DEPLOYMENT} failed and ECS is rolling back to acme-api-api-production:7: ECS deployment circuit breaker: tasks failed to start.`,
      });
    } else {
      expect(result.body.outcome).toBe("failed");
      expect(result.body).not.toHaveProperty("rolledBackTo");
      expect(result.body).not.toHaveProperty("rollbackTrigger");
      expect(result.body.reason).toBe(`deployment ${NEW_DEPLOYMENT} failed: ECS deployment circuit breaker: tasks failed to start.`);
    }
    // Either way the revision of the failed release is retired: jobs must not start it.
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: revisionArn(8) });
  });

  test("without a reason from ECS", async () => {
    const result = await deployUntil(failed({ deploymentCircuitBreaker: { enable: false, rollback: false } }));
    expect(result.body.reason).toBe(`deployment ${NEW_DEPLOYMENT} failed: no reason given`);
  });
});

describe("a deployment that is no longer PRIMARY", () => {
  // GIVEN our deployment replaced WHEN the service is back on the previous revision THEN a rollback, else someone else's deploy (failed).
  test.each<[string, Service, Record<string, unknown>]>([
    [
      "back on the previous revision, with ECS's reason",
      apiService([deployment("ecs-svc/3", 7, "PRIMARY", "IN_PROGRESS"), deployment(NEW_DEPLOYMENT, 8, "ACTIVE", "FAILED", { rolloutStateReason: "tasks failed" })]),
      { outcome: "rolled-back", rolledBackTo: revisionArn(7), rollbackTrigger: "unknown", reason: `deployment ${NEW_DEPLOYMENT} was rolled back to acme-api-api-production:7: tasks failed` },
    ],
    [
      "back on the previous revision, our deployment gone",
      apiService([deployment("ecs-svc/3", 7, "PRIMARY", "IN_PROGRESS")]),
      { outcome: "rolled-back", rolledBackTo: revisionArn(7), reason: `deployment ${NEW_DEPLOYMENT} was rolled back to acme-api-api-production:7` },
    ],
    [
      "another revision deployed over it",
      apiService([deployment("ecs-svc/3", 9, "PRIMARY", "IN_PROGRESS"), deployment(NEW_DEPLOYMENT, 8, "ACTIVE", "IN_PROGRESS")]),
      { outcome: "failed", rolledBackTo: revisionArn(9), reason: `deployment ${NEW_DEPLOYMENT} was superseded by a deployment of acme-api-api-production:9` },
    ],
    [
      "no PRIMARY at all",
      apiService([deployment(NEW_DEPLOYMENT, 8, "ACTIVE", "IN_PROGRESS")]),
      { outcome: "failed", reason: `deployment ${NEW_DEPLOYMENT} was superseded by a deployment of another revision` },
    ],
  ])("%s", async (_name, service, expected) => {
    const result = await deployUntil(service);
    expect(result.code).toBe(1);
    expect(result.body).toMatchObject(expected);
    if (expected.outcome === "failed") expect(result.body).not.toHaveProperty("rollbackTrigger");
  });
});
