import { describe, expect, test } from "vitest";
import { formatMarkdown, formatText } from "../../change-safety/diff-report";
import { replacingChanges } from "../../change-safety/replacing-attributes";
import { diffValues, predictPlan, type PredictedPlan } from "../../change-safety/stack-diff";
import type { StackJson } from "../../change-safety/stack-json";
import { exampleStack } from "../support/shipped-stacks";

type Mutable = { resource: Record<string, Record<string, Record<string, any>>>; data: Record<string, Record<string, Record<string, any>>>; moved?: Array<{ from: string; to: string }>; terraform?: any };

/** A deep copy of production as cdk.tf.json holds it, to change like a pull request would. */
const production = (): Mutable => structuredClone(exampleStack("production").withMetadata) as unknown as Mutable;
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
const diff = (head: Mutable): PredictedPlan => predictPlan("production", production() as StackJson, head as StackJson);

describe("diffStacks on production", () => {
  test("the same stack, even synthesized in another directory (local backend path), has no changes", () => {
    // GIVEN the same stack whose local backend points elsewhere
    const head = production();
    head.terraform = { ...head.terraform, backend: { local: { path: "/elsewhere/checkout/terraform.production.tfstate" } } };
    const base = production();
    base.terraform = { ...base.terraform, backend: { local: { path: "/work/repo/terraform.production.tfstate" } } };

    // WHEN diffed / THEN nothing
    const result = predictPlan("production", base as StackJson, head as StackJson);
    expect(result).toEqual({ environment: "production", verdict: "safe", refusals: [], losses: [], applyRisks: [], added: [], removed: [], moved: [], changed: [], dataSources: [], outputs: [], settings: [] });
  });

  test("renaming the access-log bucket's construct destroys it: a stateful loss, an addition and a removal", () => {
    // GIVEN the bucket under a new logical id, no moved block
    const head = production();
    const old = rename(head, "aws_s3_bucket", "access-logs_bucket", "alb-access-logs_bucket_0123ABCD");

    // WHEN diffed
    const result = diff(head);

    // THEN the loss comes first, naming the address and construct path
    expect(old).toBe("aws_s3_bucket.access-logs_bucket_7E528747");
    expect(result.losses).toEqual([
      { address: old, path: "production/access-logs/bucket", class: "stateful", action: "destroy", reason: "no longer in the stack and no moved block carries it", consequence: "every object in it is deleted with it" },
    ]);
    // Removing the block removes its prevent_destroy too: Terraform destroys without refusing.
    expect([result.verdict, result.refusals]).toEqual(["costly", []]);
    expect(result.removed).toEqual([{ address: old, path: "production/access-logs/bucket", class: "stateful" }]);
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
    expect(result.losses).toEqual([]);
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
    expect(result.losses.map((loss) => [loss.action, loss.address, loss.consequence])).toEqual([["destroy", `aws_sqs_queue.${queue}`, "the messages in it are dropped"]]);
    expect(result.removed.map((entry) => [entry.address, entry.class])).toEqual([
      [`aws_cloudwatch_metric_alarm.${alarm}`, "replaceable"],
      [`aws_sqs_queue.${queue}`, "stateful"],
    ]);
  });

  test.each<[string, string, string, (args: Record<string, any>) => void, { action: "update" | "replace"; replacedBy: string[]; verdict: string }]>([
    ["a rolling service's target group's port (ForceNew, create_before_destroy: not blocked)", "aws_lb_target_group", "service-admin_target-group", (args) => (args.port = 8081), { action: "replace", replacedBy: ["port"], verdict: "safe" }],
    [
      "a traffic-shifting service's target group's port (the rule ignores its action: deleting the old group fails at apply)",
      "aws_lb_target_group",
      "service-api_target-group",
      (args) => (args.port = 8081),
      { action: "replace", replacedBy: ["port"], verdict: "refused" },
    ],
    ["a target group's health check path (in place)", "aws_lb_target_group", "service-api_target-group", (args) => (args.health_check.path = "/ready"), { action: "update", replacedBy: [], verdict: "safe" }],
    ["the cluster's name (prevent_destroy: refused)", "aws_ecs_cluster", "compute_cluster", (args) => (args.name = "renamed"), { action: "replace", replacedBy: ["name"], verdict: "refused" }],
    ["a service's desired count", "aws_ecs_service", "service-api_service", (args) => (args.desired_count = 9), { action: "update", replacedBy: [], verdict: "safe" }],
    ["a service's cluster (ForceNew, disruptive)", "aws_ecs_service", "service-api_service", (args) => (args.cluster = "other"), { action: "replace", replacedBy: ["cluster"], verdict: "costly" }],
    ["the bucket's name (prevent_destroy: refused)", "aws_s3_bucket", "access-logs_bucket", (args) => (args.bucket = "another"), { action: "replace", replacedBy: ["bucket"], verdict: "refused" }],
  ])("changing %s", (_case, type, prefix, change, expected) => {
    // GIVEN one argument changed
    const head = production();
    const [name, args] = find(head, type, prefix);
    change(args);

    // WHEN diffed
    const result = diff(head);

    // THEN it is an update or a replacement, and the verdict follows the type's class and prevent_destroy
    expect(result.changed.find((entry) => entry.address === `${type}.${name}`)).toEqual(expect.objectContaining({ action: expected.action, replacedBy: expected.replacedBy }));
    expect(result.verdict).toBe(expected.verdict);
    // A replaced group is held by the production rule and, with test traffic, the test rule: one refusal per holder.
    const refusal = type === "aws_lb_target_group" ? /^delete of the replaced object while aws_lb_listener_rule\./ : /^prevent_destroy$/;
    expect(result.refusals.length > 0).toBe(expected.verdict === "refused");
    for (const entry of result.refusals) expect([entry.stage, entry.rule]).toEqual([type === "aws_lb_target_group" ? "apply" : "plan", expect.stringMatching(refusal)]);
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
    const changed = diff(head).changed;
    const template = changed.find((entry) => entry.address.startsWith("aws_launch_template."))!;
    const group = changed.find((entry) => entry.address.startsWith("aws_autoscaling_group."))!;
    expect(changed).toHaveLength(2);
    expect(template.changes).toEqual([{ path: "user_data", summary: expect.stringMatching(/^user data changed \(\d+ → \d+ lines, 2 added, 0 removed\)$/) }]);
    expect(template.action).toBe("update");
    // The template's new version reaches the group that launches it (an instance refresh), in place.
    expect(group).toEqual(expect.objectContaining({ address: expect.stringMatching(/^aws_autoscaling_group\./), action: "update" }));
    expect(group.changes).toEqual([expect.objectContaining({ summary: expect.stringMatching(/^known after apply \(from aws_launch_template\..*\.latest_version\)$/) })]);
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
    const created = predictPlan("production", undefined, production() as StackJson);
    expect(created.losses).toEqual([]);
    expect(created.added.length).toBeGreaterThan(100);
    const deleted = predictPlan("production", production() as StackJson, undefined);
    expect(deleted.losses.length).toBe(deleted.removed.filter((entry) => entry.class !== "replaceable").length);
    expect(deleted.losses.length).toBeGreaterThan(20);
  });
});

describe("reports of a refused plan", () => {
  // GIVEN production's cluster renamed (prevent_destroy) and a service whose strategy changes without force_new_deployment
  const head = production();
  find(head, "aws_ecs_cluster", "compute_cluster")[1].name = "renamed";
  const [, service] = find(head, "aws_ecs_service", "service-admin_service");
  delete service.force_new_deployment;
  service.capacity_provider_strategy[0].weight = 7;
  const refused = diff(head);
  const base = { ref: "main", commit: "0123456789abcdef0123" };

  test("text says the plan will fail before anything else, each refusal with its rule, then what would be lost", () => {
    const text = formatText(base, [refused]);
    expect(text).toContain("production: plan will FAIL: Terraform refuses 2 change(s)\n  XX refused aws_ecs_cluster.compute_cluster_");
    expect(text).toContain("force_new_deployment should be true when capacity_provider_strategy is being updated  [internal/service/ecs/service.go capacityProviderStrategyCustomizeDiff]");
    expect(text.indexOf("XX refused")).toBeLessThan(text.indexOf("!! replace aws_ecs_cluster"));
    expect(text).toContain("data or identity would be LOST: every service, task and container instance in it goes with it");
  });

  test("markdown cautions that terraform plan will fail and lists the refusals", () => {
    const markdown = formatMarkdown(base, [refused]);
    expect(markdown).toContain("> [!CAUTION]\n> terraform plan will FAIL: 2 change(s) refused.");
    expect(markdown).toContain("| production | refused | **2** |");
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
    ["aws_ecs_service", ["scheduling_strategy", "desired_count"], ["scheduling_strategy"]],
    // In place since hashicorp/aws 6.4.0: ROLLING to BLUE_GREEN must not read as a replacement.
    ["aws_ecs_service", ["deployment_controller[0].type"], []],
    ["aws_ecs_capacity_provider", ["auto_scaling_group_provider[0].auto_scaling_group_arn"], ["auto_scaling_group_provider.auto_scaling_group_arn"]],
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
  const diffs = [diff(head), predictPlan("staging", {}, {})];
  const base = { ref: "merge base with main", commit: "0123456789abcdef0123" };

  test("text puts the stateful loss first, then the details; an unchanged environment says so", () => {
    const text = formatText(base, diffs);
    expect(text).toContain("base 0123456789ab (merge base with main) → working tree");
    expect(text).toContain(
      "production: 1 stateful or disruptive resource(s) would be DESTROYED or REPLACED\n  !! destroy aws_s3_bucket.access-logs_bucket_7E528747  (production/access-logs/bucket): " +
        "no longer in the stack and no moved block carries it; data or identity would be LOST: every object in it is deleted with it",
    );
    expect(text.indexOf("!! destroy")).toBeLessThan(text.indexOf("added (1):"));
    expect(text).toContain("  changed (1):\n    ~ aws_ecs_service.service-api_service_454F4786  (production/service-api/service)\n        desired_count: 4 → 9  (ignored: lifecycle.ignore_changes)");
    expect(text).toContain("staging: no changes");
  });

  test("markdown has a summary table and the losses as a table", () => {
    const markdown = formatMarkdown(base, diffs);
    expect(markdown).toContain("> [!WARNING]\n> 1 stateful or disruptive resource(s) would be destroyed or replaced.");
    expect(markdown).toContain("| production | costly | 0 | **1** | 1 | 1 | 0 | 1 |");
    expect(markdown).toContain("| **destroy** | `aws_s3_bucket.access-logs_bucket_7E528747` | `production/access-logs/bucket` |");
    expect(markdown).toContain("| staging | safe | 0 | 0 | 0 | 0 | 0 | 0 |");
  });
});

describe("predictPlan: replacement through references, and what terraform plan refuses", () => {
  type Resources = Record<string, Record<string, Record<string, unknown>>>;
  const plan = (base: Resources, head: Resources): PredictedPlan => predictPlan("test", { resource: base }, { resource: head });
  const protectedNetwork = (cidr: string): Resources => ({
    aws_vpc: { main: { cidr_block: cidr, lifecycle: { prevent_destroy: true } } },
    aws_subnet: { a: { vpc_id: "${aws_vpc.main.id}", cidr_block: "10.0.1.0/24", lifecycle: { prevent_destroy: true } } },
    aws_route_table: { public: { vpc_id: "${aws_vpc.main.id}" } },
    aws_route_table_association: { a: { subnet_id: "${aws_subnet.a.id}", route_table_id: "${aws_route_table.public.id}" } },
  });

  test("a replaced resource's id is unknown: ForceNew arguments that reference it replace their resources too, transitively", () => {
    // GIVEN a VPC whose CIDR changes; the subnet's vpc_id references it, the association references the subnet
    const result = plan(protectedNetwork("10.0.0.0/16"), protectedNetwork("10.1.0.0/16"));

    // THEN all of them are replaced, each naming what carries its replacement
    expect(result.changed.map((entry) => [entry.address, entry.action, entry.replacedBy, entry.replacedThrough])).toEqual([
      ["aws_route_table.public", "replace", ["vpc_id"], ["aws_vpc.main"]],
      // route_table_id changes in place (ReplaceRouteTableAssociation); subnet_id forces the replacement.
      ["aws_route_table_association.a", "replace", ["subnet_id"], ["aws_subnet.a"]],
      ["aws_subnet.a", "replace", ["vpc_id"], ["aws_vpc.main"]],
      ["aws_vpc.main", "replace", ["cidr_block"], undefined],
    ]);
    expect(result.changed.find((entry) => entry.address === "aws_subnet.a")?.changes).toEqual([{ path: "vpc_id", summary: "known after apply (from aws_vpc.main.id)" }]);

    // AND prevent_destroy makes the plan fail for both protected ones: distinct from the data they would lose
    expect(result.verdict).toBe("refused");
    expect(result.refusals.map((refusal) => [refusal.address, refusal.rule])).toEqual([
      ["aws_subnet.a", "prevent_destroy"],
      ["aws_vpc.main", "prevent_destroy"],
    ]);
    expect(result.losses.map((loss) => [loss.address, loss.action, loss.class])).toEqual([
      ["aws_subnet.a", "replace", "stateful"],
      ["aws_vpc.main", "replace", "stateful"],
    ]);
  });

  test("a configured value of a replaced resource stays known: what references it by that value is not replaced", () => {
    // GIVEN a capacity provider replaced (its group's ARN changes) but keeping its configured name, referenced by a service's strategy
    const stack = (group: string): Resources => ({
      aws_ecs_capacity_provider: { spot: { name: "spot", auto_scaling_group_provider: { auto_scaling_group_arn: group } } },
      aws_ecs_service: { api: { name: "api", force_new_deployment: true, capacity_provider_strategy: [{ capacity_provider: "${aws_ecs_capacity_provider.spot.name}", weight: 1 }] } },
    });
    const result = plan(stack("arn:aws:autoscaling:group/a"), stack("arn:aws:autoscaling:group/b"));
    expect(result.changed.map((entry) => [entry.address, entry.action])).toEqual([["aws_ecs_capacity_provider.spot", "replace"]]);
  });

  test.each([
    ["a Spot Fleet pinned to the template's latest_version is replaced", "aws_spot_fleet_request", { launch_template_config: [{ launch_template_specification: { id: "${aws_launch_template.t.id}", version: "${aws_launch_template.t.latest_version}" } }] }, "replace"],
    ["an ASG on the latest_version updates in place (an instance refresh)", "aws_autoscaling_group", { launch_template: { id: "${aws_launch_template.t.id}", version: "${aws_launch_template.t.latest_version}" } }, "update"],
  ])("a template updated in place gets a new latest_version: %s", (_case, type, args, action) => {
    const stack = (userData: string): Resources => ({ aws_launch_template: { t: { name: "t", user_data: userData } }, [type]: { user: args } });
    const result = plan(stack("YQ=="), stack("Yg=="));
    expect(new Map(result.changed.map((entry) => [entry.address, entry.action]))).toEqual(
      new Map([
        [`${type}.user`, action],
        ["aws_launch_template.t", "update"],
      ]),
    );
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["without force_new_deployment the provider refuses the plan", {}, ["force_new_deployment should be true when capacity_provider_strategy is being updated"]],
    ["with it the strategy changes in place", { force_new_deployment: true }, []],
  ])("a service's capacity provider strategy changes: %s", (_case, head, messages) => {
    const service = (weight: number, extra: Record<string, unknown>): Resources => ({ aws_ecs_service: { api: { name: "api", capacity_provider_strategy: [{ capacity_provider: "spot", weight }], ...extra } } });
    const result = plan(service(1, {}), service(4, head));
    expect(result.changed.map((entry) => entry.action)).toEqual(["update"]);
    expect(result.refusals.map((refusal) => [refusal.rule, refusal.message])).toEqual(messages.map((message) => ["internal/service/ecs/service.go capacityProviderStrategyCustomizeDiff", message]));
    expect(result.verdict).toBe(messages.length > 0 ? "refused" : "safe");
  });

  test("removing a protected resource's block loses its data but is not refused: prevent_destroy goes with the block", () => {
    const result = plan({ aws_sqs_queue: { dead: { name: "dead", lifecycle: { prevent_destroy: true } } } }, {});
    expect([result.verdict, result.refusals, result.losses.map((loss) => loss.consequence)]).toEqual(["costly", [], ["the messages in it are dropped"]]);
  });

  test("ignore_changes = all: nothing about the resource is planned, not even through references", () => {
    const stack = (name: string): Resources => ({
      aws_iam_role: { execution: { name } },
      aws_ecs_task_definition: { released: { family: "api", execution_role_arn: "${aws_iam_role.execution.arn}", lifecycle: { ignore_changes: "all" } } },
    });
    const result = plan(stack("a"), stack("b"));
    expect(result.changed.map((entry) => [entry.address, entry.action])).toEqual([["aws_iam_role.execution", "replace"]]);
  });

  test("a launch type left out of a service that moves to a strategy is kept (Optional+Computed), not a replacement", () => {
    const result = plan(
      { aws_ecs_service: { api: { name: "api", launch_type: "EC2", force_new_deployment: true } } },
      { aws_ecs_service: { api: { name: "api", force_new_deployment: true, capacity_provider_strategy: [{ capacity_provider: "spot", weight: 1 }] } } },
    );
    expect(result.changed.map((entry) => [entry.action, entry.changes.map((change) => change.path)])).toEqual([["update", ["capacity_provider_strategy"]]]);
  });
});

describe("reports of a change refused at apply", () => {
  // GIVEN a live bridge service (its revision is ignored) that gains a network configuration
  const head = production();
  find(head, "aws_ecs_service", "service-admin_service")[1].network_configuration = { subnets: ["subnet-1"], security_groups: ["sg-1"], assign_public_ip: false };
  const refused = diff(head);
  const base = { ref: "main", commit: "0123456789abcdef0123" };

  test("the plan passes and the apply fails: verdict refused, stage apply, the way through named", () => {
    expect(refused.verdict).toBe("refused");
    expect(refused.refusals.map((refusal) => [refusal.stage, refusal.message])).toEqual([["apply", expect.stringMatching(/InvalidParameterException.*terraform apply -replace=/)]]);
  });

  test("text and markdown say the apply, not the plan, will fail", () => {
    expect(formatText(base, [refused])).toContain("production: plan passes, apply will FAIL: AWS refuses 1 change(s)\n  XX refused at apply aws_ecs_service.service-admin_service_");
    expect(formatMarkdown(base, [refused])).toContain("> [!CAUTION]\n> terraform apply will FAIL: 1 change(s) refused.");
  });

  test("a service that is created (not in state) is not refused: ignore_changes does not apply to a create", () => {
    const created = production();
    const [name, args] = find(created, "aws_ecs_service", "service-admin_service");
    delete created.resource.aws_ecs_service[name];
    created.resource.aws_ecs_service[`${name}_v2`] = { ...args, network_configuration: { subnets: ["subnet-1"] } };
    expect(diff(created).refusals).toEqual([]);
  });
});
