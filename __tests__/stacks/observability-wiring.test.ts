import { describe, expect, test } from "vitest";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";
import { ENVIRONMENTS } from "../../stacks/environments";
import { METRIC_CATALOG, parseDashboard, widgetMetrics, type WidgetMetric } from "../support/metric-catalog";
import { resourcesOfType, soleResource, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS);

/** Which resource of the stack each dimension names, and by which attribute (as a literal or a reference). */
const DIMENSION_TARGETS: Record<string, { type: string; attribute: string; literal: (resource: Record<string, any>) => unknown }> = {
  LoadBalancer: { type: "aws_lb", attribute: "arn_suffix", literal: () => undefined },
  TargetGroup: { type: "aws_lb_target_group", attribute: "arn_suffix", literal: () => undefined },
  ClusterName: { type: "aws_ecs_cluster", attribute: "name", literal: (cluster) => cluster.name },
  ServiceName: { type: "aws_ecs_service", attribute: "name", literal: (service) => service.name },
  CapacityProviderName: { type: "aws_ecs_capacity_provider", attribute: "name", literal: (provider) => provider.name },
  AutoScalingGroupName: { type: "aws_autoscaling_group", attribute: "name", literal: (group) => group.name },
  FleetRequestId: { type: "aws_spot_fleet_request", attribute: "id", literal: () => undefined },
  RuleName: { type: "aws_cloudwatch_event_rule", attribute: "name", literal: (rule) => rule.name },
  StateMachineArn: { type: "aws_sfn_state_machine", attribute: "arn", literal: () => undefined },
  QueueName: { type: "aws_sqs_queue", attribute: "name", literal: (queue) => queue.name },
  FunctionName: { type: "aws_lambda_function", attribute: "function_name", literal: (fn) => fn.function_name },
  WebACL: { type: "aws_wafv2_web_acl", attribute: "name", literal: (acl) => acl.visibility_config?.metric_name },
  Environment: { type: "aws_lambda_function", attribute: "environment", literal: (fn) => fn.environment?.variables?.ENVIRONMENT },
};

/** The id of the resource a dimension's value names (as a literal or a reference), if the stack creates it. */
function namedResource(json: Synthesized, dimension: string, value: string): string | undefined {
  const target = DIMENSION_TARGETS[dimension];
  if (!target) return undefined;
  const reference = /^\$\{(aws_\w+)\.([\w-]+)\.(\w+)\}$/.exec(value);
  const resources = Object.entries(json.resource?.[target.type] ?? {});
  if (reference) return reference[1] === target.type && reference[3] === target.attribute ? resources.find(([id]) => id === reference[2])?.[0] : undefined;
  return resources.find(([, resource]) => target.literal(resource) === value)?.[0];
}

/** Whether a dimension's value is a resource the stack creates (or, for the firewall, its region and all its rules). */
function namesAResource(json: Synthesized, region: string, dimension: string, value: string): boolean {
  if (dimension === "Region") return value === region;
  if (dimension === "Rule") return value === "ALL";
  return namedResource(json, dimension, value) !== undefined;
}

function dashboard(json: Synthesized): { name: string; metrics: WidgetMetric[]; widgets: ReturnType<typeof parseDashboard>["widgets"] } {
  const resource = soleResource(json, "aws_cloudwatch_dashboard");
  const body = parseDashboard(resource.dashboard_body as string);
  return { name: resource.dashboard_name, metrics: widgetMetrics(body), widgets: body.widgets };
}

/** The resources the dashboard's metrics name through one dimension. */
const shownResources = (json: Synthesized, metrics: WidgetMetric[], dimension: string): string[] =>
  [...new Set(metrics.flatMap((metric) => (metric.dimensions[dimension] === undefined ? [] : [namedResource(json, dimension, metric.dimensions[dimension] as string) ?? "?"])))].sort();

/** What must appear, by dimension: every resource of the type, or those `shown` selects. */
const MUST_APPEAR: Array<{ dimension: string; type: string; shown?: (resource: Record<string, any>) => boolean }> = [
  { dimension: "ServiceName", type: "aws_ecs_service" },
  { dimension: "TargetGroup", type: "aws_lb_target_group" },
  { dimension: "AutoScalingGroupName", type: "aws_autoscaling_group" },
  { dimension: "FleetRequestId", type: "aws_spot_fleet_request" },
  { dimension: "CapacityProviderName", type: "aws_ecs_capacity_provider" },
  { dimension: "StateMachineArn", type: "aws_sfn_state_machine" },
  // Job schedules, failed-run signals, Spot interruptions and rebalance recommendations; not the AMI watch's or the Spot fallback's schedule (their functions' invocations show those) or the lifecycle hook's rule.
  { dimension: "RuleName", type: "aws_cloudwatch_event_rule", shown: (rule) => !/-(ami-watch|spot-fallback|asg-terminate)-/.test(rule.name) },
  { dimension: "QueueName", type: "aws_sqs_queue", shown: (queue) => /-job-dlq-/.test(queue.name) },
  { dimension: "FunctionName", type: "aws_lambda_function" },
];

describe.each(ENVIRONMENT_NAMES)("dashboard of %s", (environment) => {
  test("GIVEN the environment WHEN synthesized THEN every widget's metric is published under that namespace, name and dimension set", () => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(environment);

    // THEN
    const { metrics } = dashboard(json);
    expect(metrics.length).toBeGreaterThan(0);
    const unknown = metrics.filter((metric) => {
      const sets = METRIC_CATALOG[metric.namespace]?.[metric.metricName];
      const dimensions = Object.keys(metric.dimensions).sort();
      return !sets?.some((set) => set.length === dimensions.length && set.every((name, index) => name === dimensions[index]));
    });
    expect(unknown.map((metric) => `${metric.widget}: ${metric.namespace} ${metric.metricName} [${Object.keys(metric.dimensions).join(", ")}]`)).toEqual([]);
  });

  test("GIVEN the environment WHEN synthesized THEN every dimension names a resource the stack creates", () => {
    const { json, config } = synthEnvironment(environment);

    const strangers = dashboard(json).metrics.flatMap((metric) =>
      Object.entries(metric.dimensions)
        .filter(([dimension, value]) => !namesAResource(json, config.region, dimension, value))
        .map(([dimension, value]) => `${metric.widget}: ${metric.metricName} ${dimension}=${value}`),
    );
    expect(strangers).toEqual([]);
  });

  test.each(MUST_APPEAR)("GIVEN the environment WHEN synthesized THEN every $type it creates appears ($dimension)", ({ dimension, type, shown }) => {
    const { json } = synthEnvironment(environment);

    const expected = Object.entries(json.resource?.[type] ?? {}).filter(([, resource]) => shown?.(resource) ?? true).map(([id]) => id).sort();
    expect(shownResources(json, dashboard(json).metrics, dimension)).toEqual(expected);
  });

  test("GIVEN the environment WHEN synthesized THEN every service and job of the config has its widgets", () => {
    const { json, config } = synthEnvironment(environment);
    const titles = dashboard(json).widgets.map((widget) => widget.properties.title);

    for (const service of config.services) expect(titles.filter((title) => title.startsWith(`${service.name}: `)).length).toBe(service.kind === "web" ? 6 : 2);
    for (const job of config.scheduledTasks) expect(titles.filter((title) => title.startsWith(`job ${job.name}: `))).toHaveLength(1);
  });

  test("GIVEN the environment WHEN synthesized THEN the Auto Scaling groups publish every group metric the dashboard reads", () => {
    const { json } = synthEnvironment(environment);
    const read = new Set(dashboard(json).metrics.filter((metric) => metric.namespace === "AWS/AutoScaling").map((metric) => metric.metricName));

    expect(read.size).toBeGreaterThan(0);
    for (const group of resourcesOfType(json, "aws_autoscaling_group")) {
      expect(group.metrics_granularity).toBe("1Minute");
      expect(group.enabled_metrics).toEqual(expect.arrayContaining([...read]));
    }
  });

  test("GIVEN the environment WHEN synthesized THEN the widgets tile the 24-column grid without overlapping, and dashboard_url opens it", () => {
    const { json, config } = synthEnvironment(environment);
    const { name, widgets } = dashboard(json);

    const cells = new Set<string>();
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      for (let x = widget.x; x < widget.x + widget.width; x++) {
        for (let y = widget.y; y < widget.y + widget.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
    expect(name).toMatch(/^[\w-]{1,255}$/);
    expect(json.output?.dashboard_url?.value).toBe(`https://console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards/dashboard/${name}`);
  });

  test("GIVEN the drainer WHEN synthesized THEN a drain that missed its deadline notifies the alert topic", () => {
    const { json, config } = synthEnvironment(environment);
    const alarm = resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((candidate) => candidate.metric_name === DRAINER_METRICS.names.drainsMissedDeadline);

    expect(config.spotDrainer.enabled).toBe(true);
    expect(alarm).toMatchObject({ namespace: DRAINER_METRICS.namespace, dimensions: { ClusterName: soleResource(json, "aws_ecs_cluster").name } });
    expect(alarm?.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alerts/)]);
  });
});

describe("WAF logging in the platform stack", () => {
  test("GIVEN production (a created web ACL, logs.kmsKey create) WHEN synthesized THEN its requests are logged to aws-waf-logs-<acl>, under the logs key and retention", () => {
    const { json, config } = synthExample("production");
    const acl = soleResource(json, "aws_wafv2_web_acl");
    const logGroup = resourcesOfType(json, "aws_cloudwatch_log_group").find((group) => group.name === `aws-waf-logs-${acl.name}`);

    expect(logGroup).toMatchObject({ retention_in_days: config.logs.retentionDays, kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.logs-key/) });
    expect(soleResource(json, "aws_wafv2_web_acl_logging_configuration").redacted_fields).toEqual([
      { single_header: { name: "authorization" } },
      { single_header: { name: "cookie" } },
    ]);
  });

  test("GIVEN an existing web ACL WHEN synthesized THEN its logging is left to its owner", () => {
    const webAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/a1b2c3d4-5678-90ab-cdef-0123456789ab";
    const production = EXAMPLES.production;
    const { json } = synthEnvironment({ ...production, loadBalancer: { ...production?.loadBalancer, waf: { mode: "existing", webAclArn } } } as typeof production & object);

    expect(resourcesOfType(json, "aws_wafv2_web_acl_logging_configuration")).toEqual([]);
    expect(dashboard(json).metrics.filter((metric) => metric.namespace === "AWS/WAFV2")).toEqual([]);
  });
});

describe("Container Insights log group in the platform stack", () => {
  test("GIVEN logs.containerInsightsLogGroup with the created logs key WHEN synthesized THEN the group ECS writes to is created with the retention, under the key its policy names", () => {
    const production = EXAMPLES.production as NonNullable<(typeof ENVIRONMENTS)["production"]>;
    const { json, config } = synthEnvironment({ ...production, logs: { ...production.logs, containerInsightsLogGroup: true } });
    const cluster = soleResource(json, "aws_ecs_cluster");
    const name = `/aws/ecs/containerinsights/${cluster.name}/performance`;

    expect(resourcesOfType(json, "aws_cloudwatch_log_group").find((group) => group.name === name)).toMatchObject({
      retention_in_days: config.logs.retentionDays,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.logs-key/),
    });
    expect(JSON.stringify(json.data?.aws_iam_policy_document)).toContain(`:log-group:${name}`);
  });

  test.each(ENVIRONMENT_NAMES)("GIVEN %s as shipped WHEN synthesized THEN ECS creates the group itself (an existing cluster already has it)", (environment) => {
    const { json } = synthEnvironment(environment);
    expect(resourcesOfType(json, "aws_cloudwatch_log_group").filter((group) => String(group.name).startsWith("/aws/ecs/containerinsights/"))).toEqual([]);
  });
});

