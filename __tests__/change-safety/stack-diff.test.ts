import { describe, expect, test } from "vitest";
import { formatMarkdown, formatText } from "../../change-safety/diff-report";
import { replacingChanges } from "../../change-safety/replacing-attributes";
import { diffStacks, diffValues, type EnvironmentDiff } from "../../change-safety/stack-diff";
import type { StackJson } from "../../change-safety/stack-json";
import { shippedStack } from "../support/shipped-stacks";

type Mutable = { resource: Record<string, Record<string, Record<string, any>>>; data: Record<string, Record<string, Record<string, any>>>; moved?: Array<{ from: string; to: string }>; terraform?: any };

/** A deep copy of production as cdk.tf.json holds it, to change like a pull request would. */
const production = (): Mutable => structuredClone(shippedStack("production").withMetadata) as unknown as Mutable;
/** The one resource of `type` whose logical id starts with `prefix`, as [name, arguments]. */
function find(stack: Mutable, type: string, prefix: string): [string, Record<string, any>] {
  const found = Object.entries(stack.resource[type]).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  return found[0];
}
/** Renames a resource's logical id the way renaming its construct id would. */
function rename(stack: Mutable, type: string, prefix: string, to: string): string {
  const [name, args] = find(stack, type, prefix);
  delete stack.resource[type][name];
  stack.resource[type][to] = args;
  return `${type}.${name}`;
}
const diff = (head: Mutable): EnvironmentDiff => diffStacks("production", production() as StackJson, head as StackJson);

describe("diffStacks on production", () => {
  test("the same stack, even synthesized in another directory (local backend path), has no changes", () => {
    // GIVEN the same stack whose local backend points elsewhere
    const head = production();
    head.terraform = { ...head.terraform, backend: { local: { path: "/elsewhere/checkout/terraform.production.tfstate" } } };
    const base = production();
    base.terraform = { ...base.terraform, backend: { local: { path: "/work/repo/terraform.production.tfstate" } } };

    // WHEN diffed / THEN nothing
    const result = diffStacks("production", base as StackJson, head as StackJson);
    expect(result).toEqual({ environment: "production", statefulLosses: [], added: [], removed: [], moved: [], changed: [], dataSources: [], outputs: [], settings: [] });
  });

  test("renaming the access-log bucket's construct destroys it: a stateful loss, an addition and a removal", () => {
    // GIVEN the bucket under a new logical id, no moved block
    const head = production();
    const old = rename(head, "aws_s3_bucket", "access-logs_bucket", "alb-access-logs_bucket_0123ABCD");

    // WHEN diffed
    const result = diff(head);

    // THEN the loss comes first, naming the address and construct path
    expect(old).toBe("aws_s3_bucket.access-logs_bucket_7E528747");
    expect(result.statefulLosses).toEqual([{ address: old, path: "production/access-logs/bucket", stateful: true, action: "destroy", reason: "no longer in the stack and no moved block carries it" }]);
    expect(result.removed).toEqual([{ address: old, path: "production/access-logs/bucket", stateful: true }]);
    expect(result.added.map((entry) => entry.address)).toEqual(["aws_s3_bucket.alb-access-logs_bucket_0123ABCD"]);
  });

  test("the same rename with a moved block is a move, not a loss; a changed argument still shows on the moved resource", () => {
    // GIVEN the renamed bucket carried by a moved block, with one more argument changed
    const head = production();
    const old = rename(head, "aws_s3_bucket", "access-logs_bucket", "alb-access-logs_bucket_0123ABCD");
    head.moved = [{ from: old, to: "aws_s3_bucket.alb-access-logs_bucket_0123ABCD" }];
    head.resource.aws_s3_bucket["alb-access-logs_bucket_0123ABCD"].force_destroy = true;

    // WHEN diffed
    const result = diff(head);

    // THEN
    expect(result.statefulLosses).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.added).toEqual([]);
    expect(result.moved).toEqual([{ from: old, to: "aws_s3_bucket.alb-access-logs_bucket_0123ABCD", path: "production/access-logs/bucket" }]);
    expect(result.changed).toEqual([expect.objectContaining({ movedFrom: old, action: "update", changes: [{ path: "force_destroy", before: "false", after: "true" }] })]);
  });

  test("removing a stateful resource is a loss; removing a replaceable one is only a removal", () => {
    // GIVEN the drainer's failure queue and an alarm deleted
    const head = production();
    const [queue] = find(head, "aws_sqs_queue", "spot-drainer_failures");
    delete head.resource.aws_sqs_queue[queue];
    const [alarm] = find(head, "aws_cloudwatch_metric_alarm", "spot-drainer_errors");
    delete head.resource.aws_cloudwatch_metric_alarm[alarm];

    // WHEN diffed / THEN only the queue is a stateful loss
    const result = diff(head);
    expect(result.statefulLosses.map((loss) => [loss.action, loss.address])).toEqual([["destroy", `aws_sqs_queue.${queue}`]]);
    expect(result.removed.map((entry) => [entry.address, entry.stateful])).toEqual([
      [`aws_cloudwatch_metric_alarm.${alarm}`, false],
      [`aws_sqs_queue.${queue}`, true],
    ]);
  });

  test.each<[string, string, string, (args: Record<string, any>) => void, { action: "update" | "replace"; replacedBy: string[]; loss: boolean }]>([
    ["a target group's port (ForceNew)", "aws_lb_target_group", "service-api_target-group", (args) => (args.port = 8081), { action: "replace", replacedBy: ["port"], loss: true }],
    ["a target group's health check path (in place)", "aws_lb_target_group", "service-api_target-group", (args) => (args.health_check.path = "/ready"), { action: "update", replacedBy: [], loss: false }],
    ["the cluster's name", "aws_ecs_cluster", "compute_cluster", (args) => (args.name = "renamed"), { action: "replace", replacedBy: ["name"], loss: true }],
    ["a service's desired count", "aws_ecs_service", "service-api_service", (args) => (args.desired_count = 9), { action: "update", replacedBy: [], loss: false }],
    ["a service's cluster (ForceNew)", "aws_ecs_service", "service-api_service", (args) => (args.cluster = "other"), { action: "replace", replacedBy: ["cluster"], loss: true }],
    ["a launch template's name (replaceable type)", "aws_launch_template", "compute_spot-launch-template", (args) => (args.name = "acme-api-spot-2"), { action: "replace", replacedBy: ["name"], loss: false }],
    ["the bucket's name", "aws_s3_bucket", "access-logs_bucket", (args) => (args.bucket = "another"), { action: "replace", replacedBy: ["bucket"], loss: true }],
  ])("changing %s", (_case, type, prefix, change, expected) => {
    // GIVEN one argument changed
    const head = production();
    const [name, args] = find(head, type, prefix);
    change(args);

    // WHEN diffed
    const result = diff(head);

    // THEN it is an update or a replacement, and a stateful replacement is a loss
    expect(result.changed).toEqual([expect.objectContaining({ address: `${type}.${name}`, action: expected.action, replacedBy: expected.replacedBy })]);
    expect(result.statefulLosses.map((loss) => loss.action)).toEqual(expected.loss ? ["replace"] : []);
  });

  test("a container's image inside container_definitions is diffed as JSON, matched by container name", () => {
    // GIVEN the api container's image changed inside the jsonencoded document
    const head = production();
    const [, args] = find(head, "aws_ecs_task_definition", "service-api_task_config-task-definition");
    const containers = JSON.parse(args.container_definitions);
    containers[0].image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:v2";
    args.container_definitions = JSON.stringify(containers);

    // WHEN diffed / THEN one leaf change, and task definitions replace (a new revision)
    const [changed] = diff(head).changed;
    expect(changed.changes).toEqual([
      { path: "container_definitions (json) [name=api].image", before: '"123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0"', after: '"123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:v2"' },
    ]);
    expect(changed.replacedBy).toEqual(["container_definitions"]);
  });

  test("user data is summarised, not printed", () => {
    const head = production();
    const [, args] = find(head, "aws_launch_template", "compute_spot-launch-template");
    args.user_data = Buffer.from(`${Buffer.from(args.user_data, "base64").toString("utf8")}\necho extra\n`).toString("base64");
    const [changed] = diff(head).changed;
    expect(changed.changes).toEqual([{ path: "user_data", summary: expect.stringMatching(/^user data changed \(\d+ → \d+ lines, 2 added, 0 removed\)$/) }]);
    expect(changed.action).toBe("update");
  });

  test("a policy statement changed in a data source shows under data sources", () => {
    const head = production();
    const documents = head.data.aws_iam_policy_document;
    const name = Object.keys(documents).find((id) => id.startsWith("spot-drainer_function_permissions"))!;
    documents[name].statement[0].effect = "Deny";
    expect(diff(head).dataSources).toEqual([
      { address: `data.aws_iam_policy_document.${name}`, path: expect.stringContaining("spot-drainer"), change: "changed", changes: [expect.objectContaining({ path: "statement[0].effect", after: '"Deny"' })] },
    ]);
  });

  test("a changed output shows by name: deploy tools read them", () => {
    const head = production() as Mutable & { output: Record<string, any> };
    delete head.output.alb_zone_id;
    expect(diff(head).outputs).toEqual([
      { path: "alb_zone_id.description", before: '"The load balancer\'s Route 53 zone id, for alias records"' },
      { path: "alb_zone_id.value", before: '"${aws_lb.load-balancer_30A23327.zone_id}"' },
    ]);
  });

  test("a new environment is all additions; a deleted one loses every stateful resource", () => {
    const created = diffStacks("production", undefined, production() as StackJson);
    expect(created.statefulLosses).toEqual([]);
    expect(created.added.length).toBeGreaterThan(100);
    const deleted = diffStacks("production", production() as StackJson, undefined);
    expect(deleted.statefulLosses.length).toBe(deleted.removed.filter((entry) => entry.stateful).length);
    expect(deleted.statefulLosses.length).toBeGreaterThan(20);
  });
});

describe("diffValues", () => {
  test.each<[string, unknown, unknown, unknown[]]>([
    ["equal", { a: 1 }, { a: 1 }, []],
    ["scalar", { a: 1 }, { a: 2 }, [{ path: "a", before: "1", after: "2" }]],
    ["added block, leaf by leaf", {}, { lifecycle: { prevent_destroy: true } }, [{ path: "lifecycle.prevent_destroy", after: "true" }]],
    ["list by position", { l: [1, 2] }, { l: [1, 3, 4] }, [{ path: "l[1]", before: "2", after: "3" }, { path: "l[2]", after: "4" }]],
    ["policy statements by Sid", { p: '{"Statement":[{"Sid":"A","Effect":"Allow"},{"Sid":"B","Effect":"Allow"}]}' }, { p: '{"Statement":[{"Sid":"B","Effect":"Deny"},{"Sid":"A","Effect":"Allow"}]}' }, [{ path: "p (json) Statement[Sid=B].Effect", before: '"Allow"', after: '"Deny"' }]],
    ["a named element that appears is one change", { env: [{ name: "A", value: "1" }] }, { env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }, [{ path: "env[name=B]", after: '{"name":"B","value":"2"}' }]],
    ["secrets are not shown", { db_password: "old" }, { db_password: "new" }, [{ path: "db_password", summary: "sensitive value changed (not shown)" }]],
    ["long text is summarised", { doc: "x".repeat(200) }, { doc: "y".repeat(200) }, [{ path: "doc", summary: "long text changed (1 → 1 lines, 1 added, 1 removed)" }]],
  ])("%s", (_case, before, after, expected) => {
    expect(diffValues(before, after)).toEqual(expected);
  });
});

describe("replacingChanges", () => {
  test.each<[string, string[], string[]]>([
    ["aws_ecs_service", ["deployment_controller[0].type", "desired_count"], ["deployment_controller.type"]],
    ["aws_lb_target_group", ["health_check.path", "stickiness.enabled"], []],
    ["aws_ecs_task_definition", ["container_definitions (json) [name=api].image", "container_definitions (json) [name=api].cpu"], ["container_definitions"]],
    ["aws_unknown_type", ["name"], []],
  ])("%s %j", (type, paths, expected) => {
    expect(replacingChanges(type, paths)).toEqual(expected);
  });
});

describe("reports", () => {
  const head = production();
  rename(head, "aws_s3_bucket", "access-logs_bucket", "alb-access-logs_bucket_0123ABCD");
  find(head, "aws_ecs_service", "service-api_service")[1].desired_count = 9;
  const diffs = [diff(head), diffStacks("staging", {}, {})];
  const base = { ref: "merge base with main", commit: "0123456789abcdef0123" };

  test("text puts the stateful loss first, then the details; an unchanged environment says so", () => {
    const text = formatText(base, diffs);
    expect(text).toContain("base 0123456789ab (merge base with main) → working tree");
    expect(text).toContain("production: 1 stateful resource(s) would be DESTROYED or REPLACED\n  !! destroy aws_s3_bucket.access-logs_bucket_7E528747  (production/access-logs/bucket)");
    expect(text.indexOf("!! destroy")).toBeLessThan(text.indexOf("added (1):"));
    expect(text).toContain("  changed (1):\n    ~ aws_ecs_service.service-api_service_454F4786  (production/service-api/service)\n        desired_count: 4 → 9  (ignored: lifecycle.ignore_changes)");
    expect(text).toContain("staging: no changes");
  });

  test("markdown has a summary table and the losses as a table", () => {
    const markdown = formatMarkdown(base, diffs);
    expect(markdown).toContain("> [!CAUTION]\n> 1 stateful resource(s) would be destroyed or replaced.");
    expect(markdown).toContain("| production | **1** | 1 | 1 | 0 | 1 |");
    expect(markdown).toContain("| **destroy** | `aws_s3_bucket.access-logs_bucket_7E528747` | `production/access-logs/bucket` |");
    expect(markdown).toContain("| staging | 0 | 0 | 0 | 0 | 0 |");
  });
});
