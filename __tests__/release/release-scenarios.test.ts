/**
 * The release model's scenarios on a stateful fake ECS (no synth, so StrykerJS can run them per mutant): one-off
 * runs, rolled-back and cancelled deploys, duplicate registrations, signals and rollback never make anything run
 * a revision that did not become the release. The synthesized stack's side: releases-own-the-revision.test.ts.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiContainer, FakeEcs } from "./fake-ecs";
import { runCli } from "./support";

const FAMILY = "acme-api-api-production";
const IMAGE_1 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0";
const IMAGE_2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:2.0.0";
const IMAGE_3 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:3.0.0";

let ecs: FakeEcs;
beforeEach(() => {
  ecs = new FakeEcs();
});
afterEach(() => ecs.mock.restore());

const imageOf = (definition: { containerDefinitions?: Array<{ image?: string }> }) => definition.containerDefinitions?.[0]?.image;

/** A first apply: the config family and the released family's first revision, the service created on the latter. */
function firstApply(): void {
  const definition = {
    networkMode: "bridge" as const,
    requiresCompatibilities: ["EC2" as const],
    taskRoleArn: "arn:aws:iam::123456789012:role/acme-api-api-task-production",
    executionRoleArn: "arn:aws:iam::123456789012:role/acme-api-api-execution-production",
    containerDefinitions: [apiContainer()],
    tags: [{ key: "cost-center", value: "platform" }],
  };
  ecs.register({ family: `${FAMILY}_config`, ...definition });
  ecs.register({ family: FAMILY, ...definition });
  ecs.createService("api", `arn:aws:ecs:eu-west-1:123456789012:task-definition/${FAMILY}:1`);
}

describe("jobs run the current release, never a revision that did not become it", () => {
  test("a one-off run with its own image registers outside the released family and retires its revision when done", async () => {
    firstApply();
    const release = ecs.running("api").taskDefinitionArn;
    const result = await runCli(["run", "production", "api", "--image", IMAGE_2, "--json", "--", "node", "migrate.js"]);

    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", taskDefinition: expect.stringContaining(`${FAMILY}_run:1`), deregistered: [expect.stringContaining(`${FAMILY}_run:1`)] });
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(release);
    expect(ecs.activeRevisions(`${FAMILY}_run`)).toEqual([]);
  });

  test.each(["circuit-breaker", "alarm", "hook"] as const)("a deploy rolled back by the %s is reported with its reason and its revision deregistered", async (trigger) => {
    firstApply();
    ecs.fateOf(IMAGE_2, { ends: trigger, polls: 1 });
    const release = ecs.running("api").taskDefinitionArn;

    const result = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--json"]);

    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "rolled-back", rollbackTrigger: trigger, rolledBackTo: release, deregistered: [expect.stringContaining(`${FAMILY}:2`)] });
    expect(ecs.running("api").taskDefinitionArn).toBe(release);
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(release);
  });

  test("a deploy cancelled mid-rollout leaves ECS deploying; the next deploy retires what was never released", async () => {
    firstApply();
    ecs.fateOf(IMAGE_2, { ends: "never" });
    const cancel = new AbortController();
    const clock = { time: Date.parse("2026-11-29T12:00:00Z"), sleeps: [] as number[], now: () => clock.time, sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
      if (clock.sleeps.length === 3) cancel.abort("SIGTERM");
    } };
    const cancelled = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--json"], clock, cancel.signal);

    expect(cancelled.code).toBe(1);
    expect(cancelled.json()).toMatchObject({
      outcome: "cancelled",
      deploymentId: expect.stringMatching(/^ecs-svc\//),
      serviceDeploymentArn: expect.stringContaining(":service-deployment/acme-api-production/api/"),
      ecsContinues: expect.stringContaining("npm run release -- rollback production api"),
    });
    // a re-run while ECS still deploys refuses clearly; rollback stops the deployment and lands on the release
    const busy = await runCli(["deploy", "production", "api", "--image", IMAGE_3]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("already rolling out");
    const stopped = await runCli(["rollback", "production", "api", "--json"]);
    expect(stopped.code).toBe(0);
    expect(stopped.json()).toMatchObject({ outcome: "succeeded", taskDefinition: expect.stringContaining(`${FAMILY}:1`), image: IMAGE_1, deregistered: [expect.stringContaining(`${FAMILY}:2`)] });
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toContain(`${FAMILY}:1`);
    // and a deploy after that works
    expect((await runCli(["deploy", "production", "api", "--image", IMAGE_3])).code).toBe(0);
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_3);
  });
});

describe("rollback returns to the previous successful release", () => {
  test("skips a rolled-back build, a redeploy of the same image and duplicate registrations; reports image and revision", async () => {
    // GIVEN 1.0.0 (first apply), 2.0.0 released, 3.0.0 rolled back by the breaker, 2.0.0 deployed again from a retried registration
    firstApply();
    expect((await runCli(["deploy", "production", "api", "--image", IMAGE_2])).code).toBe(0);
    ecs.fateOf(IMAGE_3, { ends: "circuit-breaker", polls: 1 });
    expect((await runCli(["deploy", "production", "api", "--image", IMAGE_3])).code).toBe(1);
    ecs.duplicateNextRegistration = true;
    expect((await runCli(["deploy", "production", "api"])).code).toBe(0);
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_2);

    // WHEN
    const result = await runCli(["rollback", "production", "api", "--json"]);

    // THEN it lands on 1.0.0, the release before the 2.0.0 builds, in a new revision jobs run too
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", command: "rollback", image: IMAGE_1, restoredFrom: expect.stringContaining(`${FAMILY}:1`) });
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_1);
    expect(result.json().taskDefinition).toBe(ecs.running("api").taskDefinitionArn);
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(ecs.running("api").taskDefinitionArn);
    expect(result.stderr).toMatch(/done: api runs acme-api-api-production:\d+ \(.*acme-api:1\.0\.0\)/);
  });

  test("without an earlier release of another image it fails and changes nothing", async () => {
    firstApply();
    const result = await runCli(["rollback", "production", "api"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no earlier successful release of api with an image other than");
    expect(ecs.activeRevisions(FAMILY)).toHaveLength(1);
  });
});

describe("status", () => {
  test("on a stack never applied says so instead of ClusterNotFoundException", async () => {
    ecs.clusterExists = false;
    const result = await runCli(["status", "production", "--json"]);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "failed", reason: expect.stringContaining('the stack "production" was never applied (cdktf deploy production)') });
    expect(result.stderr).not.toContain("ClusterNotFoundException");
  });

  test("shows the stage of a deployment in progress", async () => {
    firstApply();
    ecs.fateOf(IMAGE_2, { ends: "never" });
    const timedOut = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--timeout", "30", "--json"]);
    expect(timedOut.json()).toMatchObject({ outcome: "timed-out", ecsContinues: expect.stringContaining("ECS keeps going with ecs-svc/") });

    const result = await runCli(["status", "production", "api", "--json"]);

    expect(result.json().targets[0].inProgress).toMatchObject({ status: "IN_PROGRESS", lifecycleStage: expect.stringMatching(/SCALE_UP|BAKE_TIME|CLEAN_UP/) });
    const table = await runCli(["status", "production", "api"]);
    expect(table.stdout).toMatch(/deployment in progress: IN_PROGRESS (SCALE_UP|BAKE_TIME|CLEAN_UP)/);
  });
});

describe("signals", () => {
  test("a cancelled run stops the task it started, reports it, retires its one-off revision; a re-run starts a new task", async () => {
    firstApply();
    ecs.taskOutcome = "never";
    const cancel = new AbortController();
    const clock = { time: 0, sleeps: [] as number[], now: () => clock.time, sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
      if (clock.sleeps.length === 2) cancel.abort("SIGINT");
    } };

    const result = await runCli(["run", "production", "api", "--image", IMAGE_2, "--json", "--", "node", "migrate.js"], clock, cancel.signal);

    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "cancelled", taskArn: expect.stringContaining(":task/"), deregistered: [expect.stringContaining(`${FAMILY}_run:1`)] });
    expect(ecs.allTasks()).toEqual([expect.objectContaining({ lastStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: "release CLI: cancelled" })]);
    ecs.taskOutcome = { exitCode: 0, polls: 1 };
    const again = await runCli(["run", "production", "api", "--image", IMAGE_2, "--", "node", "migrate.js"]);
    expect(again.code).toBe(0);
    expect(ecs.allTasks()).toHaveLength(2);
  });

  test("a signal before anything changed reports a cancelled outcome with --json and registers nothing", async () => {
    firstApply();
    const cancel = new AbortController();
    cancel.abort("SIGTERM");
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--json"], undefined, cancel.signal);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "cancelled", command: "deploy", reason: expect.stringContaining("SIGTERM") });
    expect(ecs.activeRevisions(FAMILY)).toHaveLength(1);
  });
});
