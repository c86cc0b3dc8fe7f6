/** Which revisions a rollback deregisters, on the stateful fake ECS. */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiContainer, FakeEcs } from "./fake-ecs";
import { runCli } from "./support";

const FAMILY = "acme-api-api-production";
const IMAGE_1 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0";
const IMAGE_2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:2.0.0";
const arn = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;

let ecs: FakeEcs;
beforeEach(() => {
  ecs = new FakeEcs();
});
afterEach(() => ecs.mock.restore());

const definition = (image = IMAGE_1, tags: Array<{ key: string; value: string }> = []) => ({
  networkMode: "bridge" as const,
  requiresCompatibilities: ["EC2" as const],
  containerDefinitions: [apiContainer({ image })],
  tags,
});

/** 1.0.0 applied, 2.0.0 released: revision 2 of the family runs. */
async function released() {
  ecs.register({ family: `${FAMILY}_config`, ...definition() });
  ecs.register({ family: FAMILY, ...definition() });
  ecs.createService("api", arn(FAMILY, 1));
  expect((await runCli(["deploy", "production", "api", "--image", IMAGE_2])).code).toBe(0);
}

describe("rollback retires what was never released", () => {
  // GIVEN newer revisions than the running one: a cancelled deploy's, Terraform's, and one-off revisions of another family
  // WHEN rolling back THEN only the released family's revisions a release registered are deregistered.
  test("deregisters the release tool's abandoned revisions of the family only", async () => {
    await released();
    ecs.register({ family: FAMILY, ...definition(IMAGE_2, [{ key: "platform:registered-by", value: "deploy" }]) }); // 3: abandoned
    ecs.register({ family: FAMILY, ...definition(IMAGE_2) }); // 4: Terraform's
    for (let revision = 1; revision <= 5; revision++) ecs.register({ family: `${FAMILY}_run`, ...definition(IMAGE_2, [{ key: "platform:registered-by", value: "run" }]) });

    const result = await runCli(["rollback", "production", "api", "--json"]);

    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: IMAGE_1, restoredFrom: arn(FAMILY, 1), deregistered: [arn(FAMILY, 3)] });
    expect(ecs.activeRevisions(FAMILY)).toContain(arn(FAMILY, 4));
    expect(ecs.activeRevisions(FAMILY)).not.toContain(arn(FAMILY, 3));
    expect(ecs.activeRevisions(`${FAMILY}_run`)).toHaveLength(5);
    expect(result.stderr).toContain(`left ${FAMILY}:4 alone`);
    expect(imageOf(ecs.running("api"))).toBe(IMAGE_1);
  });

  test("with nothing abandoned, nothing is deregistered", async () => {
    await released();
    const result = await runCli(["rollback", "production", "api", "--json"]);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ outcome: "succeeded", image: IMAGE_1, restoredFrom: arn(FAMILY, 1) });
    expect(result.json()).not.toHaveProperty("deregistered");
    expect(ecs.activeRevisions(FAMILY)).toContain(arn(FAMILY, 2));
  });
});

const imageOf = (described: { containerDefinitions?: Array<{ image?: string }> }) => described.containerDefinitions?.[0]?.image;
