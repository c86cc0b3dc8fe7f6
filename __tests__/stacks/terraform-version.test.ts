import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { synthEnvironment } from "../support/synth";

const [anyEnvironment] = Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>;
const withBackend = (backend: EnvironmentInput["backend"]): EnvironmentInput => ({ ...ENVIRONMENTS[anyEnvironment], backend });

describe("required Terraform version", () => {
  test.each([
    ["a local backend", { type: "local" } as const, ">= 1.2.0"],
    ["Terraform Cloud", { type: "cloud", organization: "acme" } as const, ">= 1.2.0"],
    ["S3 with native locking (use_lockfile needs 1.10)", { type: "s3", bucket: "acme-terraform-state" } as const, ">= 1.10.0"],
    ["S3 with a DynamoDB lock table", { type: "s3", bucket: "acme-terraform-state", useLockfile: false, dynamodbTable: "locks" } as const, ">= 1.2.0"],
  ])("GIVEN %s WHEN synthesized THEN the stack requires Terraform %s", (_name, backend, expected) => {
    const { json } = synthEnvironment(withBackend(backend));
    expect(json.terraform?.required_version).toBe(expected);
  });

  test.each(Object.keys(ENVIRONMENTS))("GIVEN the registered environment %s THEN its stack declares a required version", (environment) => {
    expect(synthEnvironment(environment as keyof typeof ENVIRONMENTS).json.terraform?.required_version).toMatch(/^>= 1\.\d+\.0$/);
  });
});
