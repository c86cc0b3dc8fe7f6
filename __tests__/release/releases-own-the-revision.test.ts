/**
 * The model end to end: a release is Terraform's latest revision of the config family + an image, registered in the
 * released family, which the service and the scheduled jobs run. Terraform's side comes from the SYNTHESIZED stack
 * (what an apply registers); ECS is a stateful fake with the SDK's shapes.
 */
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { resourcesOfType, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { FakeEcs } from "./fake-ecs";
import { runCli } from "./support";
import { EXAMPLES } from "../support/examples";

const FAMILY = "acme-api-api-production";
const CONFIG_FAMILY = `${FAMILY}_config`;
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
  const production = EXAMPLES.production;
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
  const before = synthExample("production").json;
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
