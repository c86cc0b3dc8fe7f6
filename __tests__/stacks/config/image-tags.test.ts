import { describe, expect, test } from "vitest";
import { validateEnvironment, type EnvironmentInput } from "../../../stacks/config";
import { isMutableImageReference } from "../../../stacks/config/image-tags";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { minimalInput } from "../../support/config";

describe("mutable image tags", () => {
  test.each([
    ["nginx", true],
    ["nginx:latest", true],
    ["public.ecr.aws/nginx/nginx:latest", true],
    ["registry.example.com:5000/team/app", true],
    ["registry.example.com:5000/team/app:latest", true],
    ["nginx:1.27-alpine", false],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0", false],
    ["registry.example.com:5000/team/app:2026.11.1", false],
    ["acme/app@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", false],
  ])("GIVEN %s THEN mutable is %s", (image, mutable) => {
    expect(isMutableImageReference(image)).toBe(mutable);
  });

  test("GIVEN a service and a job on latest WHEN validated THEN each gets a warning naming its field, and the config is valid", () => {
    // GIVEN
    const input: any = minimalInput();
    input.services[0].image = "acme/api:latest";
    input.scheduledTasks = [{ name: "reindex", schedule: "rate(1 hour)", image: "acme/reindex" }];
    // WHEN
    const { warnings } = validateEnvironment(input as EnvironmentInput);
    // THEN
    expect(warnings).toEqual([
      expect.stringMatching(/^services\[api\]\.image: "acme\/api:latest" is a mutable tag: .*Pin a version tag or a digest/),
      expect.stringMatching(/^scheduledTasks\[reindex\]\.image: "acme\/reindex" is a mutable tag/),
    ]);
  });

  test.each(Object.keys(ENVIRONMENTS))("GIVEN the shipped %s example THEN every image is pinned", (name) => {
    expect(validateEnvironment(ENVIRONMENTS[name]).warnings.filter((warning) => warning.includes("mutable tag"))).toEqual([]);
  });
});
