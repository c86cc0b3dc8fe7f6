import {
  AccessDeniedException,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  ClientException,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiService, awsError, CLUSTER, deployment, IMAGE, liveTaskDefinition, OLD_DEPLOYMENT, revisionArn, runCli, taskArn } from "./support";

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());
afterEach(() => ecs.reset());

const MIGRATE = ["node", "migrate.js", "--to", "latest"];
const task = (lastStatus: string, stopped: Partial<Task> = {}, exitCode?: number): Task => ({
  taskArn: taskArn(),
  lastStatus,
  containers: [{ name: "api", lastStatus, ...(exitCode !== undefined && { exitCode }) }],
  ...stopped,
});

function givenApiService() {
  ecs.on(DescribeServicesCommand).resolves({ services: [apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")])] });
  ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(7));
  ecs.on(RunTaskCommand).resolves({ tasks: [task("PROVISIONING")], failures: [] });
}

describe("run <environment> <service> -- <command>", () => {
  test("runs the service's current revision on its capacity provider strategy with the command override, and exits 0 with the container", async () => {
    // GIVEN a task that is not yet visible, then provisions, runs and exits 0
    givenApiService();
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [], failures: [{ arn: taskArn(), reason: "MISSING" }] })
      .resolvesOnce({ tasks: [task("PROVISIONING")] })
      .resolvesOnce({ tasks: [task("RUNNING")] })
      .resolvesOnce({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" }, 0)] });

    // WHEN
    const result = await runCli(["run", "production", "api", "--json", "--", ...MIGRATE]);

    // THEN
    expect(result.code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toEqual({
      cluster: CLUSTER,
      taskDefinition: revisionArn(7),
      count: 1,
      capacityProviderStrategy: apiService([]).capacityProviderStrategy,
      overrides: { containerOverrides: [{ name: "api", command: MIGRATE }] },
      startedBy: "release-cli",
      propagateTags: "TASK_DEFINITION",
      enableECSManagedTags: true,
      clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(input).not.toHaveProperty("launchType");
    expect(result.json()).toMatchObject({ outcome: "succeeded", command: "run", taskArn: taskArn(), exitCode: 0, stopCode: "EssentialContainerExited" });
    expect(result.stderr).toMatch(/task 0123456789abcdef0123456789abcdef: PROVISIONING\n.*RUNNING\n.*STOPPED/);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  test.each([
    [3, "EssentialContainerExited", "container api exited with 3"],
    [137, "SpotInterruption", "container api exited with 137 (SpotInterruption"],
    [0, "UserInitiated", "container api exited with 0 (UserInitiated"],
  ] as const)("exit code %i with stop code %s fails the run (exit 1)", async (exitCode, stopCode, message) => {
    givenApiService();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode, stoppedReason: "stopped" }, exitCode)] });
    const result = await runCli(["run", "production", "api", "--json", "--", ...MIGRATE]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", exitCode, stopCode, reason: expect.stringContaining(message) });
  });

  test("a task that failed to start (no exit code) fails with ECS's reason", async () => {
    givenApiService();
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: taskArn(),
          lastStatus: "STOPPED",
          stopCode: "TaskFailedToStart",
          stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
          containers: [{ name: "api", lastStatus: "STOPPED", reason: "CannotPullContainerError" }],
        },
      ],
    });
    const result = await runCli(["run", "production", "api", "--", ...MIGRATE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stopped without an exit code of container api (TaskFailedToStart: CannotPullContainerError: pull image manifest");
  });

  test("RunTask failures[] (no capacity) fail the run at once, listing the reasons", async () => {
    givenApiService();
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: "arn:aws:ecs:eu-west-1:123456789012:container-instance/x", reason: "RESOURCE:MEMORY", detail: "needs 1024 MiB" }] });
    const result = await runCli(["run", "production", "api", "--json", "--", ...MIGRATE]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: "RunTask started no task: RESOURCE:MEMORY (needs 1024 MiB)" });
    expect(ecs).not.toHaveReceivedCommand(DescribeTasksCommand);
  });

  test("a throttled RunTask is retried with the same client token, so a retry never starts a second migration", async () => {
    givenApiService();
    ecs.on(RunTaskCommand).rejectsOnce(awsError("ThrottlingException", "Rate exceeded")).resolves({ tasks: [task("PENDING")] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited" }, 0)] });
    const result = await runCli(["run", "production", "api", "--", ...MIGRATE]);
    expect(result.code).toBe(0);
    const tokens = ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });

  test("a cancel while RunTask is being retried ends the retries at once and reports cancelled; no task was started", async () => {
    // GIVEN RunTask throttled on every attempt, and SIGTERM during the first backoff
    givenApiService();
    ecs.on(RunTaskCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
    const cancel = new AbortController();
    const clock = { time: 0, sleeps: [] as number[], now: () => clock.time, sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
      cancel.abort("SIGTERM");
    } };

    // WHEN
    const result = await runCli(["run", "production", "api", "--json", "--", ...MIGRATE], clock, cancel.signal);

    // THEN one attempt and one wait, not eight attempts and a minute of backoff
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "cancelled", reason: expect.stringContaining("cancelled while retrying RunTask (ThrottlingException)") });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(clock.sleeps).toEqual([1000]);
  });

  test("--image runs the config's latest revision with that image from the one-off family, deregistered when done (migrations before the deploy)", async () => {
    givenApiService();
    const oneOff = revisionArn(2, "acme-api-api-production_run");
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: "acme-api-api-production_config" }).resolves(liveTaskDefinition(4, "acme-api:config", "acme-api-api-production_config"));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { ...liveTaskDefinition(2, IMAGE, "acme-api-api-production_run").taskDefinition } });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited" }, 0)] });
    const result = await runCli(["run", "production", "api", "--image", IMAGE, "--json", "--", ...MIGRATE]);
    expect(result.code).toBe(0);
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered).toMatchObject({ family: "acme-api-api-production_run", containerDefinitions: [expect.objectContaining({ image: IMAGE })] });
    expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, { taskDefinition: oneOff });
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand).map((call) => call.args[0].input)).toEqual([{ taskDefinition: oneOff }]);
    expect(result.json()).toMatchObject({ outcome: "succeeded", taskDefinition: oneOff, image: IMAGE, deregistered: [oneOff] });
    expect(result.stderr).toContain("deregistered acme-api-api-production_run:2: its one-off task is done");
  });

  test.each([
    ["RunTask is refused", () => ecs.on(RunTaskCommand).rejects(new AccessDeniedException({ message: "denied", $metadata: {} })), "no task was started"],
    ["RunTask starts nothing", () => ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] }), "its one-off task is done"],
  ])("with --image, a one-off revision is deregistered when %s", async (_case, given, why) => {
    givenApiService();
    const oneOff = revisionArn(2, "acme-api-api-production_run");
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { ...liveTaskDefinition(2, IMAGE, "acme-api-api-production_run").taskDefinition } });
    given();
    const result = await runCli(["run", "production", "api", "--image", IMAGE, "--", ...MIGRATE]);
    expect(result.code).toBe(1);
    expect(ecs).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, { taskDefinition: oneOff });
    expect(result.stderr).toContain(`deregistered acme-api-api-production_run:2: ${why}`);
  });

  test("without --image nothing is registered or deregistered", async () => {
    givenApiService();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited" }, 0)] });
    const result = await runCli(["run", "production", "api", "--json", "--", ...MIGRATE]);
    expect(result.code).toBe(0);
    expect(result.json().deregistered).toBeUndefined();
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecs).not.toHaveReceivedCommand(DeregisterTaskDefinitionCommand);
  });

  test("a task still running at --timeout is stopped and the run times out (exit 1)", async () => {
    givenApiService();
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task("RUNNING")] });
    ecs.on(StopTaskCommand).resolves({});
    const result = await runCli(["run", "production", "api", "--timeout", "60", "--json", "--", ...MIGRATE]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "timed-out", elapsedSeconds: 60 });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: taskArn() });
  });

  test("a job with its own image runs its latest revision by full ARN with the EC2 launch type in spot-fleet mode", async () => {
    const family = "acme-api-smoke-check-job-staging";
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(5, "public.ecr.aws/docker/library/busybox:1.36", family, "smoke-check"));
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(), lastStatus: "PENDING" }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: taskArn(), lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [{ name: "smoke-check", exitCode: 0 }] }],
    });
    const result = await runCli(["run", "staging", "smoke-check", "--", "wget", "-qO-", "http://example.com/"]);
    expect(result.code).toBe(0);
    expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: "acme-api-staging",
      taskDefinition: revisionArn(5, family),
      launchType: "EC2",
      overrides: { containerOverrides: [{ name: "smoke-check", command: ["wget", "-qO-", "http://example.com/"] }] },
    });
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
  });
});

describe("status <environment> [<service>]", () => {
  test("reports counts, revision, image, rollout state and the latest events of every service", async () => {
    // GIVEN production's three services, api mid-rollout
    const api = apiService(
      [deployment("ecs-svc/2", 8, "PRIMARY", "IN_PROGRESS", { runningCount: 2 }), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")],
      [
        { id: "e2", message: "(service api) has started 2 tasks: (task a) (task b)." },
        { id: "e1", message: "(service api) has reached a steady state." },
      ],
    );
    const admin = { ...apiService([deployment("ecs-svc/9", 3, "PRIMARY", "COMPLETED")]), serviceName: "admin" };
    const agent = { ...apiService([deployment("ecs-svc/8", 2, "PRIMARY", "COMPLETED")]), serviceName: "metrics-agent" };
    ecs.on(DescribeServicesCommand).resolves({ services: [api, admin, agent] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(8, IMAGE));

    // WHEN
    const result = await runCli(["status", "production", "--json"]);

    // THEN one DescribeServices call (≤ 10 services) for the cluster, the JSON result per service
    expect(result.code).toBe(0);
    expect(ecs).toHaveReceivedCommandExactlyOnceWith(DescribeServicesCommand, { cluster: CLUSTER, services: ["api", "admin", "metrics-agent"] });
    const status = result.json();
    expect(status.targets.map((target: any) => target.name)).toEqual(["api", "admin", "metrics-agent"]);
    expect(status.targets[0]).toMatchObject({
      found: true,
      running: 4,
      desired: 4,
      pending: 0,
      revision: 8,
      image: IMAGE,
      rolloutState: "IN_PROGRESS",
      deployments: 2,
      events: [{ message: "(service api) has started 2 tasks: (task a) (task b)." }, { message: "(service api) has reached a steady state." }],
    });
  });

  test("prints a table without --json and fails (exit 1) for a service the cluster does not have", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "arn:aws:ecs:eu-west-1:123456789012:service/acme-api-staging/api", reason: "MISSING" }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(3, "public.ecr.aws/docker/library/busybox:1.36", "acme-api-smoke-check-job-staging", "smoke-check"));
    const result = await runCli(["status", "staging"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("api: not found");
    expect(result.stdout).toContain("smoke-check (job): revision 3, image public.ecr.aws/docker/library/busybox:1.36");
    expect(result.stderr).toContain("not found in cluster acme-api-staging: api (was the stack applied?)");
  });
});

describe("what the CLI prints", () => {
  test("the status table: counts, release, rollout, deployments in flight, events, jobs", async () => {
    const api = apiService(
      [deployment("ecs-svc/2", 8, "PRIMARY", "IN_PROGRESS", { runningCount: 2 }), deployment(OLD_DEPLOYMENT, 7, "ACTIVE", "COMPLETED")],
      [{ id: "e1", message: "(service api) has reached a steady state." }],
    );
    ecs.on(DescribeServicesCommand).resolves({ services: [api] });
    ecs.on(DescribeTaskDefinitionCommand).resolves(liveTaskDefinition(8, IMAGE));
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: "acme-api-smoke-check-job-staging" }).rejects(new ClientException({ message: "Unable to describe task definition.", $metadata: {} }));
    const result = await runCli(["status", "staging"]);
    expect(result.stdout).toBe(
      [
        "staging (cluster acme-api-staging)",
        `  api: 4/4 running, 0 pending; revision 8, image ${IMAGE}; rollout IN_PROGRESS (2 deployments)`,
        "    2026-11-29T12:00:00.000Z (service api) has reached a steady state.",
        "  smoke-check: not found",
        "",
      ].join("\n"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: not found in cluster acme-api-staging: smoke-check (was the stack applied?)\n");
  });

  test("a settled service shows neither a deployment count nor an unknown state", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ ...apiService([deployment(OLD_DEPLOYMENT, 7, "PRIMARY", "COMPLETED")]), events: [] }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: undefined });
    const result = await runCli(["status", "production", "api"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("production (cluster acme-api-production)\n  api: 4/4 running, 0 pending; revision 7, image ?; rollout COMPLETED\n");
    expect(result.stderr).toBe("");
  });

  test.each([
    ["succeeded run", ["run", "production", "api", "--", "true"], () => ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited" }, 0)] }), /^done: task exited 0 \(acme-api-api-production:7\) \[\d+ s\]$/m],
    ["failed run", ["run", "production", "api", "--", "false"], () => ecs.on(DescribeTasksCommand).resolves({ tasks: [task("STOPPED", { stopCode: "EssentialContainerExited" }, 3)] }), /^error: run failed: container api exited with 3 \(EssentialContainerExited\) \[\d+ s\]$/m],
    ["timed-out run", ["run", "production", "api", "--timeout", "5", "--", "sleep"], () => ecs.on(DescribeTasksCommand).resolves({ tasks: [task("RUNNING")] }), /^error: run timed out: task 0123456789abcdef0123456789abcdef did not stop within 5 s \(last status RUNNING\); it was asked to stop \[5 s\]$/m],
  ])("the summary line of a %s", async (_case, argv, given, line) => {
    givenApiService();
    given();
    ecs.on(StopTaskCommand).resolves({});
    const result = await runCli(argv);
    expect(result.stderr).toMatch(line);
  });
});
