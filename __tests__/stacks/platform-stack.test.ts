import { describe, expect, test } from "vitest";
import { SHIPPED_ENVIRONMENTS } from "../support/shipped-stacks";
import type { EnvironmentInput } from "../../stacks/config";
import { selectEnvironments } from "../../stacks/selection";
import { synthEnvironment, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

function withBackend(backend: EnvironmentInput["backend"]): EnvironmentInput {
  return { ...EXAMPLES.staging, backend };
}

describe("PlatformStack backend", () => {
  test("defaults to a local backend so synth and plan work offline", () => {
    const { json } = synthEnvironment(withBackend(undefined));
    expect(Object.keys(json.terraform?.backend as object)).toEqual(["local"]);
    expect(json.terraform?.cloud).toBeUndefined();
  });

  test("uses one Terraform Cloud workspace per environment", () => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(withBackend({ type: "cloud", organization: "acme" }));

    // THEN
    expect(json.terraform?.cloud).toEqual({ organization: "acme", hostname: "app.terraform.io", workspaces: { name: "acme-api-staging" } });
    expect(json.terraform?.backend).toBeUndefined();
  });

  test("names the Terraform Cloud workspace when the config does", () => {
    const { json } = synthEnvironment(withBackend({ type: "cloud", organization: "acme", workspace: "api-stg" }));
    expect(json.terraform?.cloud).toMatchObject({ workspaces: { name: "api-stg" } });
  });

  test("stores state in S3 with encryption and S3-native locking", () => {
    const { json } = synthEnvironment(withBackend({ type: "s3", bucket: "acme-terraform-state" }));
    expect(json.terraform?.backend).toEqual({
      s3: { bucket: "acme-terraform-state", key: "acme-api/staging/terraform.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("can keep legacy DynamoDB locking instead", () => {
    const { json } = synthEnvironment(withBackend({ type: "s3", bucket: "acme-terraform-state", useLockfile: false, dynamodbTable: "terraform-locks" }));
    expect((json.terraform?.backend as { s3: Record<string, unknown> }).s3).toMatchObject({ dynamodb_table: "terraform-locks" });
    expect((json.terraform?.backend as { s3: Record<string, unknown> }).s3.use_lockfile).toBeUndefined();
  });
});

describe("PlatformStack provider", () => {
  test.each(SHIPPED_ENVIRONMENTS)("%s: region and default tags identify the environment", (name) => {
    // GIVEN / WHEN
    const { json, config } = synthEnvironment(name);

    // THEN
    const [provider] = json.provider?.aws ?? [];
    expect(provider.region).toBe(config.region);
    expect(provider.default_tags).toEqual([
      { tags: { ...config.tags, project: config.project, environment: name, "managed-by": "cdktf" } },
    ]);
  });

  test("pins the account when the environment lists allowed accounts", () => {
    expect(synthExample("production").json.provider?.aws[0].allowed_account_ids).toEqual(["123456789012"]);
    expect(synthExample("staging").json.provider?.aws[0].allowed_account_ids).toBeUndefined();
  });

  test("the environment's own tags cannot replace the identifying ones", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.staging, tags: { environment: "prod", team: "core" } });
    expect(json.provider?.aws[0].default_tags).toEqual([{ tags: { team: "core", project: "acme-api", environment: "staging", "managed-by": "cdktf" } }]);
  });
});

describe("selectEnvironments", () => {
  const available = ["staging", "production"];

  test.each<[string | undefined, string[]]>([
    [undefined, ["staging", "production"]],
    ["", ["staging", "production"]],
    ["production", ["production"]],
    [" staging , production ,staging", ["staging", "production"]],
  ])("PLATFORM_ENVIRONMENTS=%j selects %j", (requested, expected) => {
    expect(selectEnvironments(available, requested)).toEqual(expected);
  });

  test("refuses unknown environments instead of synthesizing nothing", () => {
    expect(() => selectEnvironments(available, "prod")).toThrow("PLATFORM_ENVIRONMENTS: unknown environment(s) prod; known: staging, production");
  });
});
