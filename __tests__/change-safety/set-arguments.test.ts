import { describe, expect, test } from "vitest";
import { buildSetArgumentTable, readSchema, setPaths } from "../../change-safety/generate-set-arguments";
import table from "../../change-safety/set-arguments.json";
import { setArguments } from "../../change-safety/set-arguments";
import { applyRefusals } from "../../change-safety/plan-refusals";
import { diffValues } from "../../change-safety/stack-diff";
import type { StackJson } from "../../change-safety/stack-json";
import { SHIPPED_ENVIRONMENTS, shippedStack } from "../support/shipped-stacks";

const environments = SHIPPED_ENVIRONMENTS.map((environment) => [environment] as const);

describe("the set-argument table (set-arguments.json)", () => {
  test.each(environments)("GIVEN %s synthesized THEN every resource and data source type it uses is in the table", (environment) => {
    const stack = shippedStack(environment).json as StackJson;
    const missing = (["resource", "data"] as const).flatMap((kind) => Object.keys(stack[kind] ?? {}).filter((type) => !Object.hasOwn(table[kind], type)).map((type) => `${kind} ${type}`));
    // A type missing here has its sets compared by position: run `npm run set-arguments:update -- <schema>` (docs/change-safety.md).
    expect(missing).toEqual([]);
  });

  test("names the sets the platform's day-2 changes reorder, and no list", () => {
    expect([...setArguments("resource", "aws_ecs_service")]).toEqual(expect.arrayContaining(["capacity_provider_strategy", "load_balancer", "network_configuration.subnets"]));
    expect([...setArguments("resource", "aws_spot_fleet_request")]).toEqual(expect.arrayContaining(["launch_template_config", "launch_template_config.overrides"]));
    expect([...setArguments("resource", "aws_autoscaling_group")]).toEqual(expect.arrayContaining(["vpc_zone_identifier", "tag"]));
    expect(setArguments("resource", "aws_ecs_service").has("ordered_placement_strategy")).toBe(false);
    expect(setArguments("resource", "aws_lb_listener_rule").has("action")).toBe(false);
    expect(setArguments("resource", "aws_not_a_type").size).toBe(0);
  });
});

describe("generate-set-arguments: both schema formats give the same paths", () => {
  // One type in `terraform providers schema -json`'s format and in the offline validator's compact one.
  const official = {
    format_version: "1.0",
    provider_schemas: {
      "registry.terraform.io/hashicorp/aws": {
        resource_schemas: {
          aws_thing: {
            block: {
              attributes: {
                name: { type: "string", required: true },
                zones: { type: ["set", "string"], optional: true },
                rules: { type: ["list", ["object", { ports: ["set", "number"], cidr: "string" }]], optional: true },
              },
              block_types: {
                pool: { nesting_mode: "set", block: { attributes: { size: { type: "number" } }, block_types: { member: { nesting_mode: "set", block: { attributes: { id: { type: "string" } } } } } } },
                settings: { nesting_mode: "list", max_items: 1, block: { attributes: { tags: { type: ["map", "string"] } } } },
              },
            },
          },
        },
        data_source_schemas: { aws_lookup: { block: { attributes: { ids: { type: ["set", "string"], computed: true } } } } },
      },
    },
  };
  const compact = {
    format: "tfvalidate-schema/1",
    resource: {
      aws_thing: {
        a: { name: ["r", "string"], zones: ["o", ["set", "string"]], rules: ["o", ["list", ["object", { ports: ["set", "number"], cidr: "string" }]]] },
        b: { pool: { n: "set", a: { size: ["o", "number"] }, b: { member: { n: "set", a: { id: ["o", "string"] } } } }, settings: { n: "list", a: { tags: ["o", ["map", "string"]] }, max: 1 } },
      },
    },
    data: { aws_lookup: { a: { ids: ["c", ["set", "string"]] } } },
  };
  const expected = ["pool", "pool.member", "rules.ports", "zones"];

  test.each([
    ["terraform providers schema -json", official],
    ["the validator's compact schema", compact],
  ])("GIVEN %s WHEN read THEN set attributes, sets inside objects and set blocks at any depth are named", (_format, document) => {
    const schema = readSchema(document);
    expect(setPaths(schema.resource.get("aws_thing")!)).toEqual(expected);
    expect(buildSetArgumentTable(schema, [{ resource: { aws_thing: {} }, data: { aws_lookup: {} } }], "test")).toEqual({ source: "test", resource: { aws_thing: expected }, data: { aws_lookup: ["ids"] } });
  });

  test("a type the schema lacks is an error naming it, and a document that is no schema is refused", () => {
    expect(() => buildSetArgumentTable(readSchema(compact), [{ resource: { aws_other: {} } }], "test")).toThrow("resource type aws_other is not in the schema");
    expect(() => readSchema({ resource: {} })).toThrow("not a provider schema");
  });
});

describe("diffValues compares sets as Terraform does", () => {
  const sets = new Set(["ingress", "subnets", "config", "config.overrides"]);
  test.each<[string, unknown, unknown, unknown[]]>([
    ["a set in another order is no change", { ingress: [{ port: 80 }, { port: 443 }] }, { ingress: [{ port: 443 }, { port: 80 }] }, []],
    ["a set of strings in another order is no change", { subnets: ["a", "b", "c"] }, { subnets: ["c", "a", "b"] }, []],
    ["a set inside a set in another order is no change", { config: [{ overrides: [{ type: "a" }, { type: "b" }] }] }, { config: [{ overrides: [{ type: "b" }, { type: "a" }] }] }, []],
    ["one changed element shows what changed in it", { ingress: [{ port: 80, protocol: "tcp" }, { port: 443, protocol: "tcp" }] }, { ingress: [{ port: 443, protocol: "tcp" }, { port: 8080, protocol: "tcp" }] }, [
      { path: "ingress[1].port", before: "80", after: "8080" },
    ]],
    ["elements removed and added (more than one) are each one change, at their index", { subnets: ["a", "b", "c"] }, { subnets: ["c", "d", "e"] }, [
      { path: "subnets[0]", before: '"a"' },
      { path: "subnets[1]", before: '"b"' },
      { path: "subnets[1]", after: '"d"' },
      { path: "subnets[2]", after: '"e"' },
    ]],
    ["a set holds an element once: a duplicate that goes is no change", { subnets: ["a", "a", "b"] }, { subnets: ["a", "b"] }, []],
    ["an element changed inside a nested set shows down to the field", { config: [{ overrides: [{ type: "a" }, { type: "c" }] }] }, { config: [{ overrides: [{ type: "c" }, { type: "b" }] }] }, [
      { path: "config[0].overrides[1].type", before: '"a"', after: '"b"' },
    ]],
    ["a name twice on one side is no name to match by: the element that goes is still seen", { ingress: [{ name: "a", port: 1 }, { name: "a", port: 2 }] }, { ingress: [{ name: "a", port: 2 }] }, [
      { path: "ingress[0]", before: '{"name":"a","port":1}' },
    ]],
    ["a list (not in the sets) is still compared by position", { l: [1, 2] }, { l: [2, 1] }, [{ path: "l[0]", before: "1", after: "2" }, { path: "l[1]", before: "2", after: "1" }]],
    ["named elements of a set are matched by name", { ingress: [{ name: "a", port: 1 }, { name: "b", port: 2 }] }, { ingress: [{ name: "b", port: 3 }, { name: "a", port: 1 }] }, [{ path: "ingress[name=b].port", before: "2", after: "3" }]],
    ["in a list, a name twice before is compared by position, not hidden", { tag: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }, { tag: [{ key: "a", value: "2" }] }, [
      { path: "tag[0].value", before: '"1"', after: '"2"' },
      { path: "tag[1].key", before: '"a"' },
      { path: "tag[1].value", before: '"2"' },
    ]],
  ])("%s", (_case, before, after, expected) => {
    expect(diffValues(before, after, "", sets)).toEqual(expected);
  });
});

describe("the apply refusals compare a service's load balancers as the set they are", () => {
  const blue = { target_group_arn: "arn:blue", container_name: "api", container_port: 8080 };
  const green = { target_group_arn: "arn:green", container_name: "api", container_port: 8080 };
  const service = (strategy: string, loadBalancer: unknown[]) => ({
    deployment_configuration: [{ strategy }],
    load_balancer: loadBalancer,
    lifecycle: { ignore_changes: ["task_definition", "load_balancer"] },
  });

  test.each([
    ["the same load balancers in another order", 0, [green, blue]],
    ["another load balancer", 1, [blue, { ...green, container_port: 9090 }]],
  ])("GIVEN a service moving to CANARY with load_balancer ignored WHEN it has %s THEN it has %d apply refusals", (_case, count, after) => {
    expect(applyRefusals("aws_ecs_service", service("ROLLING", [blue, green]), service("CANARY", after))).toHaveLength(count);
  });
});
