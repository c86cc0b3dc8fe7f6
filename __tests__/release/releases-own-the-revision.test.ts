/**
 * The model end to end: a release is Terraform's latest revision of the config family + an image, registered in the
 * released family, which the service and the scheduled jobs run. Terraform's side comes from the SYNTHESIZED stack
 * (what an apply registers); ECS is a stateful fake with the SDK's shapes.
 */
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { resourcesOfType, synthEnvironment, type Synthesized } from "../support/synth";
import { FakeEcs } from "./fake-ecs";
import { runCli } from "./support";

const FAMILY = "acme-api-api-production";
const CONFIG_FAMILY = `${FAMILY}_config`;
const IMAGE_1 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0";
const IMAGE_2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:2.0.0";
const IMAGE_3 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:3.0.0";
const NEW_SECRET = "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/production/database-url-v2";

let ecs: FakeEcs;
beforeEach(() => {
  ecs = new FakeEcs();
});
afterEach(() => ecs.mock.restore());

/** What `terraform apply` registers for an `aws_ecs_task_definition` of the synthesized stack. */
function registrationOf(json: Synthesized, family: string): RegisterTaskDefinitionCommandInput {
  const resource = resourcesOfType(json, "aws_ecs_task_definition").find((candidate) => candidate.family === family);
  if (!resource) throw new Error(`no task definition of family ${family}`);
  return {
    family,
    networkMode: resource.network_mode,
    requiresCompatibilities: resource.requires_compatibilities,
    taskRoleArn: "arn:aws:iam::123456789012:role/acme-api-api-task-production",
    executionRoleArn: "arn:aws:iam::123456789012:role/acme-api-api-execution-production",
    containerDefinitions: JSON.parse(resource.container_definitions),
    volumes: (resource.volume ?? []).map((volume: { name: string }) => ({ name: volume.name })),
    tags: [{ key: "cost-center", value: "platform" }],
  };
}

/** The families the stack's scheduled jobs of service `api` start: EventBridge targets and Step Functions tasks. */
function jobFamilies(json: Synthesized): string[] {
  const references = [
    ...resourcesOfType(json, "aws_cloudwatch_event_target").map((target) => target.ecs_target?.task_definition_arn as string | undefined),
    ...resourcesOfType(json, "aws_sfn_state_machine").map((machine) => /"TaskDefinition":"([^"]+)"/.exec(String(machine.definition).replace(/\\"/g, '"'))?.[1]),
  ].filter((reference): reference is string => reference !== undefined);
  return references.map((reference) => reference.replace(/^.*:task-definition\//, ""));
}

function withSecret(valueFrom: string): EnvironmentInput {
  const production = ENVIRONMENTS.production;
  return {
    ...production,
    services: (production.services ?? []).map((service) => (service.name === "api" ? { ...service, secrets: { DATABASE_URL: valueFrom } } : service)),
  } as EnvironmentInput;
}

const secretOf = (definition: { containerDefinitions?: Array<{ secrets?: Array<{ valueFrom?: string }> }> }) => definition.containerDefinitions?.[0]?.secrets?.[0]?.valueFrom;
const imageOf = (definition: { containerDefinitions?: Array<{ image?: string }> }) => definition.containerDefinitions?.[0]?.image;

/** A first apply: the config family and the released family's first revision, the service created on the latter. */
function firstApply(json: Synthesized): void {
  ecs.register(registrationOf(json, CONFIG_FAMILY));
  ecs.register(registrationOf(json, FAMILY));
  ecs.createService("api", `arn:aws:ecs:eu-west-1:123456789012:task-definition/${FAMILY}:1`);
}

describe("a config change in the synthesized stack reaches what the service and its jobs run", () => {
  const before = synthEnvironment("production").json;
  const after = synthEnvironment(withSecret(NEW_SECRET)).json;

  test("the stack registers the config family on every change and the released family once; jobs start the released family's latest revision", () => {
    const [config, released] = [CONFIG_FAMILY, FAMILY].map((family) => resourcesOfType(after, "aws_ecs_task_definition").find((candidate) => candidate.family === family));
    expect(config?.lifecycle).toEqual({ create_before_destroy: true });
    expect(released?.lifecycle).toEqual({ ignore_changes: "all" });
    expect(jobFamilies(after).filter((family) => family.startsWith(FAMILY))).toEqual([FAMILY, FAMILY]);
    // the change shows in the config family's definition, which the next apply registers
    expect(JSON.parse(config?.container_definitions)[0].secrets).toEqual([{ name: "DATABASE_URL", valueFrom: NEW_SECRET }]);
  });

  test("deploy after the apply ships the new secret with the running image (no --image), and jobs run the same release", async () => {
    // GIVEN a stack applied, then released with image 2.0.0
    firstApply(before);
    expect((await runCli(["deploy", "production", "api", "--image", IMAGE_2])).code).toBe(0);
    // WHEN the secret changes in the config and the stack is applied (Terraform registers the config family's next revision)
    ecs.register(registrationOf(after, CONFIG_FAMILY));
    const result = await runCli(["deploy", "production", "api", "--json"]);

    // THEN the service runs the new secret with the image it ran, not the config's 1.0.0
    expect(result.code).toBe(0);
    expect(secretOf(ecs.running("api"))).toBe(NEW_SECRET);
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_2);
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: IMAGE_2, taskDefinition: ecs.running("api").taskDefinitionArn });
    // and both jobs of the service start exactly that revision
    for (const family of jobFamilies(after).filter((candidate) => candidate === FAMILY)) {
      expect(ecs.runJob(family).taskDefinitionArn).toBe(ecs.running("api").taskDefinitionArn);
    }
  });

  test("an image deploy after a config change never reverts the config; the apply alone changes nothing that runs", async () => {
    firstApply(before);
    ecs.register(registrationOf(after, CONFIG_FAMILY));
    // the apply alone: the service and the jobs still run the first release
    expect(secretOf(ecs.running("api"))).not.toBe(NEW_SECRET);
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(ecs.running("api").taskDefinitionArn);

    const result = await runCli(["deploy", "production", "api", "--image", IMAGE_3]);

    expect(result.code).toBe(0);
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_3);
    expect(secretOf(ecs.running("api"))).toBe(NEW_SECRET);
    expect(ecs.runJob(FAMILY)).toEqual(ecs.running("api"));
  });
});

describe("jobs run the current release, never a revision that did not become it", () => {
  const json = synthEnvironment("production").json;

  test("a one-off run with its own image registers outside the released family and retires its revision when done", async () => {
    firstApply(json);
    const release = ecs.running("api").taskDefinitionArn;
    const result = await runCli(["run", "production", "api", "--image", IMAGE_2, "--json", "--", "node", "migrate.js"]);

    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", taskDefinition: expect.stringContaining(`${FAMILY}_run:1`), deregistered: [expect.stringContaining(`${FAMILY}_run:1`)] });
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(release);
    expect(ecs.activeRevisions(`${FAMILY}_run`)).toEqual([]);
  });

  test.each(["circuit-breaker", "alarm", "hook"] as const)("a deploy rolled back by the %s is reported with its reason and its revision deregistered", async (trigger) => {
    firstApply(json);
    ecs.fateOf(IMAGE_2, { ends: trigger, polls: 1 });
    const release = ecs.running("api").taskDefinitionArn;

    const result = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--json"]);

    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "rolled-back", rollbackTrigger: trigger, rolledBackTo: release, deregistered: [expect.stringContaining(`${FAMILY}:2`)] });
    expect(ecs.running("api").taskDefinitionArn).toBe(release);
    expect(ecs.runJob(FAMILY).taskDefinitionArn).toBe(release);
  });

  test("a deploy cancelled mid-rollout leaves ECS deploying; the next deploy retires what was never released", async () => {
    firstApply(json);
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
  const json = synthEnvironment("production").json;

  test("skips a rolled-back build, a redeploy of the same image and duplicate registrations; reports image and revision", async () => {
    // GIVEN 1.0.0 (first apply), 2.0.0 released, 3.0.0 rolled back by the breaker, 2.0.0 deployed again from a retried registration
    firstApply(json);
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
    firstApply(json);
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
    firstApply(synthEnvironment("production").json);
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
    firstApply(synthEnvironment("production").json);
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
    firstApply(synthEnvironment("production").json);
    const cancel = new AbortController();
    cancel.abort("SIGTERM");
    const result = await runCli(["deploy", "production", "api", "--image", IMAGE_2, "--json"], undefined, cancel.signal);
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ outcome: "cancelled", command: "deploy", reason: expect.stringContaining("SIGTERM") });
    expect(ecs.activeRevisions(FAMILY)).toHaveLength(1);
  });
});
