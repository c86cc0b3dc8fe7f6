import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type Service } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiService, deployment, liveTaskDefinition, OLD_DEPLOYMENT, revisionArn, runCli, taskArn } from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const stoppedWith = (exitCode: number) => ({ tasks: [{ taskArn: taskArn(), lastStatus: "STOPPED", stopCode: "EssentialContainerExited" as const, containers: [{ name: "api", exitCode }] }] });

function given(service: Service) {
  ecs.on(DescribeServicesCommand).resolves({ services: [service] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(), lastStatus: "PROVISIONING" }], failures: [] });
  ecs.on(DescribeTasksCommand).resolves(stoppedWith(0));
}

describe("where a one-off task of a service runs", () => {
  // GIVEN a live service without a capacity provider strategy WHEN a task runs THEN it takes the service's launch type (EC2 when unset).
  test.each<[string, Partial<Service>, Record<string, unknown>]>([
    ["an empty strategy and a launch type", { capacityProviderStrategy: [], launchType: "EXTERNAL" }, { launchType: "EXTERNAL" }],
    ["no strategy and no launch type", { capacityProviderStrategy: undefined, launchType: undefined }, { launchType: "EC2" }],
  ])("%s", async (_name, override, placement) => {
    given({ ...apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]), ...override });
    const result = await runCli(["run", "production", "api", "--json", "--", "true"]);
    expect(result.code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toMatchObject(placement);
    expect(input).not.toHaveProperty("capacityProviderStrategy");
  });

  // GIVEN a service whose deployments list is empty WHEN a task runs THEN it runs the service's task definition.
  test("without a PRIMARY deployment: the service's task definition", async () => {
    given({ ...apiService([]), taskDefinition: revisionArn(6) });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(6));
    const result = await runCli(["run", "production", "api", "--json", "--", "true"]);
    expect(result.code).toBe(0);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input.taskDefinition).toBe(revisionArn(6));
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input.taskDefinition).toBe(revisionArn(6));
  });

  // GIVEN a running revision without the service's container WHEN a task would run THEN nothing runs, exit 1.
  test("a running revision without the container fails before RunTask", async () => {
    given(apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]));
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7, undefined, undefined, "worker"));
    const result = await runCli(["run", "production", "api", "--json", "--", "true"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: expect.stringContaining('task definition acme-api-api-production:7 has no container "api"') });
    expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
  });
});

describe("RunTask that starts no task", () => {
  // GIVEN RunTask answering with failures only WHEN run THEN exit 1 and every failure is reported with its detail.
  test.each<[string, Array<{ reason?: string; detail?: string }> | undefined, string]>([
    ["reasons with and without detail", [{ reason: "RESOURCE:MEMORY", detail: "i-0abc" }, { reason: "AGENT" }, {}], "RunTask started no task: RESOURCE:MEMORY (i-0abc); AGENT; unknown"],
    ["no failures at all", undefined, "RunTask started no task: no reason given"],
    ["an empty failure list", [], "RunTask started no task: no reason given"],
  ])("%s", async (_name, failures, reason) => {
    given(apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]));
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures });
    const result = await runCli(["run", "production", "api", "--json", "--", "true"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason });
    expect(ecs).not.toHaveReceivedCommand(DescribeTasksCommand);
  });

  test("a task without an ARN counts as no task", async () => {
    given(apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]));
    ecs.on(RunTaskCommand).resolves({ tasks: [{ lastStatus: "PROVISIONING" }], failures: [] });
    const result = await runCli(["run", "production", "api", "--json", "--", "true"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: "RunTask started no task: no reason given" });
  });
});
