import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { TerraformResource } from "cdktf";
import { RESOURCE_TYPES, isStateful } from "../../../modules/platform/resource-types";
import { parseEnvironmentConfig } from "../../../stacks/config";
import { exampleStack, SHIPPED_ENVIRONMENTS, shippedStack } from "../../support/shipped-stacks";
import { synthEnvironment } from "../../support/synth";
import { EXAMPLES } from "../../support/examples";
import type { ExampleName } from "../../support/examples";

/** Every resource of a stack as [type, name, lifecycle]. */
function lifecycles(environment: ExampleName): Array<[string, string, Record<string, unknown> | undefined]> {
  return Object.entries(exampleStack(environment).json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, resource]): [string, string, Record<string, unknown> | undefined] => [type, name, resource.lifecycle as Record<string, unknown> | undefined]),
  );
}

describe("prevent_destroy on stateful resources", () => {
  test("the shipped environments are the two cases: production protects itself, staging is meant to be torn down", () => {
    expect(parseEnvironmentConfig(EXAMPLES.production).loadBalancer.deletionProtection).toBe(true);
    expect(parseEnvironmentConfig(EXAMPLES.staging).loadBalancer.deletionProtection).toBe(false);
  });

  test("production: every stateful resource has prevent_destroy and no other resource has it", () => {
    // GIVEN production (deletion protection on) / WHEN synthesized
    const resources = lifecycles("production");

    // THEN exactly the stateful ones are protected
    const protectedOnes = resources.filter(([, , lifecycle]) => lifecycle?.prevent_destroy === true).map(([type, name]) => `${type}.${name}`);
    const stateful = resources.filter(([type]) => isStateful(type)).map(([type, name]) => `${type}.${name}`);
    expect(protectedOnes).toEqual(stateful);
    expect([...new Set(stateful.map((address) => address.split(".")[0]))]).toEqual(
      expect.arrayContaining(["aws_cloudwatch_log_group", "aws_ecs_cluster", "aws_kms_key", "aws_lb", "aws_s3_bucket", "aws_sns_topic", "aws_sqs_queue"]),
    );
  });

  test.each(["aws_acm_certificate", "aws_lb_target_group", "aws_lb_listener_rule", "aws_ecs_service", "aws_autoscaling_group"])(
    "production: %s is not blocked: create_before_destroy replaces it, or it comes back (the diff says what its replacement costs)",
    (type) => {
      const found = lifecycles("production").filter(([resourceType]) => resourceType === type);
      expect(found.length).toBeGreaterThan(0);
      for (const [, , lifecycle] of found) expect(lifecycle?.prevent_destroy).toBeUndefined();
    },
  );

  test("production: the resources' own lifecycle settings are kept", () => {
    const byAddress = new Map(lifecycles("production").map(([type, name, lifecycle]) => [`${type}.${name}`, lifecycle]));
    const services = [...byAddress].filter(([address]) => address.startsWith("aws_ecs_service."));
    expect(services.length).toBeGreaterThan(0);
    for (const [, lifecycle] of services) expect(lifecycle).toEqual(expect.objectContaining({ ignore_changes: expect.arrayContaining(["task_definition"]) }));
    const logGroups = [...byAddress].filter(([address]) => address.startsWith("aws_cloudwatch_log_group."));
    expect(logGroups.length).toBeGreaterThan(0);
    for (const [, lifecycle] of logGroups) expect(lifecycle).toEqual(expect.objectContaining({ prevent_destroy: true }));
  });

  test("staging: nothing has prevent_destroy, so `terraform destroy` tears it down", () => {
    // GIVEN staging (deletion protection off) / WHEN synthesized / THEN
    const resources = lifecycles("staging");
    expect(resources.filter(([type]) => isStateful(type)).length).toBeGreaterThan(10);
    expect(resources.filter(([, , lifecycle]) => lifecycle?.prevent_destroy !== undefined)).toEqual([]);
  });

  test("the stack's deletionProtection accessor is the one switch: staging with it on protects its VPC, subnets and Spot Fleet too", () => {
    // GIVEN staging with deletion protection turned on
    const { json, stack } = synthEnvironment({ ...EXAMPLES.staging, loadBalancer: { ...EXAMPLES.staging.loadBalancer, deletionProtection: true } });

    // THEN the stack reports it, the ALB and the bucket follow it, and every stateful resource is protected
    expect(stack.deletionProtection).toBe(true);
    const all = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.values(byName).map((resource) => [type, resource] as const));
    for (const [type, resource] of all) expect([type, (resource.lifecycle as any)?.prevent_destroy === true]).toEqual([type, isStateful(type)]);
    expect(all.map(([type]) => type)).toEqual(expect.arrayContaining(["aws_vpc", "aws_subnet", "aws_spot_fleet_request"]));
    expect(Object.values(json.resource?.aws_lb ?? {})[0].enable_deletion_protection).toBe(true);
    expect(Object.values(json.resource?.aws_s3_bucket ?? {})[0].force_destroy).toBe(false);
  });
});

describe("RESOURCE_TYPES classifies every resource type", () => {
  test.each(SHIPPED_ENVIRONMENTS)("%s: every synthesized resource type is classified stateful or replaceable", (environment) => {
    const unclassified = Object.keys(shippedStack(environment).json.resource ?? {}).filter((type) => RESOURCE_TYPES[type] === undefined);
    expect(unclassified, "add these types to modules/platform/resource-types.ts").toEqual([]);
  });

  test("every provider resource class the platform imports is classified", () => {
    // GIVEN every `@cdktf/provider-aws/lib/<resource>` import in modules/ and stacks/
    const sources = ["modules", "stacks"].flatMap((folder) =>
      fs
        .readdirSync(path.resolve(__dirname, "../../..", folder), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts"))
        .map((file) => path.resolve(__dirname, "../../..", folder, file)),
    );
    const libraries = new Set(sources.flatMap((file) => [...fs.readFileSync(file, "utf8").matchAll(/@cdktf\/provider-aws\/lib\/([a-z0-9-]+)/g)].map((match) => match[1])));

    // WHEN each is mapped to its Terraform resource type (data sources and the provider are not resources)
    const types = [...libraries].flatMap((library) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = Object.values(require(`@cdktf/provider-aws/lib/${library}`) as Record<string, unknown>);
      return exported.flatMap((value) =>
        typeof value === "function" && value.prototype instanceof TerraformResource ? [(value as unknown as { tfResourceType: string }).tfResourceType] : [],
      );
    });

    // THEN each is classified
    expect(types.length).toBeGreaterThan(40);
    expect(types.filter((type) => RESOURCE_TYPES[type] === undefined), "add these types to modules/platform/resource-types.ts").toEqual([]);
  });
});
