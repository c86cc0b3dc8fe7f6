import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, test } from "vitest";
import { imageOf, revisionOf, revisionWithImage, shortName, TaskDefinitionMismatch } from "../../release/task-definition";
import { IMAGE, liveTaskDefinition, revisionArn } from "./support";

describe("a revision with a new image", () => {
  // GIVEN a task definition with a sidecar WHEN the app container gets a new image THEN only that container changes.
  test("replaces the image of the named container only, keeps the others", () => {
    const { taskDefinition, tags } = liveTaskDefinition(7);
    const sidecar = { name: "otel", image: "public.ecr.aws/otel:0.1", essential: false };
    const current: TaskDefinition = { ...taskDefinition, containerDefinitions: [sidecar, ...(taskDefinition.containerDefinitions ?? [])] };
    const input = revisionWithImage(current, tags, "api", IMAGE);
    expect(input.containerDefinitions?.map((definition) => [definition.name, definition.image])).toEqual([
      ["otel", "public.ecr.aws/otel:0.1"],
      ["api", IMAGE],
    ]);
  });

  // GIVEN a container that is not in the task definition WHEN asked THEN a mismatch naming what is there.
  test("a missing container is a mismatch listing the containers", () => {
    const { taskDefinition } = liveTaskDefinition(7);
    const current: TaskDefinition = { ...taskDefinition, containerDefinitions: [...(taskDefinition.containerDefinitions ?? []), { name: "otel", image: "otel:1" }] };
    expect(() => revisionWithImage(current, [], "worker", IMAGE)).toThrow(TaskDefinitionMismatch);
    expect(() => revisionWithImage(current, [], "worker", IMAGE)).toThrow('has no container "worker" (it has: api, otel)');
    expect(() => revisionWithImage({ ...taskDefinition, containerDefinitions: undefined }, [], "api", IMAGE)).toThrow('has no container "api" (it has: )');
  });

  // GIVEN fields that are null, absent, empty or set WHEN copied THEN null/absent are left out, empty ones are kept.
  test("null and absent fields are left out; empty ones and falsy values are kept", () => {
    const { taskDefinition } = liveTaskDefinition(7);
    const current = { ...taskDefinition, pidMode: null, ipcMode: undefined, cpu: "", enableFaultInjection: false, volumes: [] } as unknown as TaskDefinition;
    const input = revisionWithImage(current, undefined, "api", IMAGE) as unknown as Record<string, unknown>;
    expect(input).not.toHaveProperty("pidMode");
    expect(input).not.toHaveProperty("ipcMode");
    expect(input).not.toHaveProperty("proxyConfiguration");
    expect(input.cpu).toBe("");
    expect(input.enableFaultInjection).toBe(false);
    expect(input.volumes).toEqual([]);
    expect(input).not.toHaveProperty("tags");
  });

  // GIVEN tags with and without the reserved prefix or a key WHEN copied THEN only settable tags are kept.
  test.each<[string, Array<{ key?: string; value?: string }>, Array<{ key?: string; value?: string }> | undefined]>([
    ["only reserved tags: no tags field", [{ key: "aws:cloudformation:stack-name", value: "x" }], undefined],
    ["a tag without a key is dropped", [{ value: "orphan" }, { key: "team", value: "payments" }], [{ key: "team", value: "payments" }]],
    ["a key merely containing aws: is kept", [{ key: "team:aws:x", value: "y" }], [{ key: "team:aws:x", value: "y" }]],
    ["no tags", [], undefined],
  ])("%s", (_name, tags, expected) => {
    const { taskDefinition } = liveTaskDefinition(7);
    expect(revisionWithImage(taskDefinition, tags, "api", IMAGE).tags).toEqual(expected);
  });

  test("the family can be overridden (one-off revisions)", () => {
    const { taskDefinition } = liveTaskDefinition(7);
    expect(revisionWithImage(taskDefinition, [], "api", IMAGE, "acme-api-api-oneoff-production").family).toBe("acme-api-api-oneoff-production");
    expect(revisionWithImage(taskDefinition, [], "api", IMAGE).family).toBe(taskDefinition.family);
  });
});

describe("names of revisions", () => {
  test.each<[string, number]>([
    [revisionArn(42), 42],
    ["acme-api-api-production", NaN],
    ["acme-api-api-production:", NaN],
  ])("revisionOf(%s) = %d", (arn, revision) => {
    expect(revisionOf(arn)).toBe(revision);
  });

  test.each([
    [revisionArn(42), "acme-api-api-production:42"],
    ["acme-api-api-production:42", "acme-api-api-production:42"],
    ["x:task-definition/a-task-definition/b:1", "a-task-definition/b:1"],
  ])("shortName(%s) = %s", (arn, name) => {
    expect(shortName(arn)).toBe(name);
  });

  test("imageOf a task definition without containers is undefined", () => {
    expect(imageOf(undefined, "api")).toBeUndefined();
    expect(imageOf({ family: "x" }, "api")).toBeUndefined();
    expect(imageOf(liveTaskDefinition(1, IMAGE).taskDefinition, "api")).toBe(IMAGE);
  });
});
