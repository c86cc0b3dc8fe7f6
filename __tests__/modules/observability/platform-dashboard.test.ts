import { describe, expect, test } from "vitest";
import { FALLBACK_METRICS } from "../../../lambdas/spot-fallback/metrics";
import { consoleHost, PlatformDashboard, type PlatformDashboardProps } from "../../../modules/observability/platform-dashboard";
import { parseDashboard, widgetMetrics } from "../../support/metric-catalog";
import { soleResource, synthConstructs } from "../../support/synth";

const baseProps: PlatformDashboardProps = {
  dashboardName: "acme-api-platform-test",
  region: "eu-west-1",
  clusterName: "acme-api-test",
  loadBalancerArnSuffix: "app/acme-api-web-test/0123456789abcdef",
  services: [
    { name: "api", serviceName: "acme-api-api-test", targetGroupArnSuffix: "targetgroup/acme-api-api-test/0123456789abcdef" },
    { name: "agent", serviceName: "acme-api-agent-test" },
  ],
  pools: [
    { name: "on-demand", purchaseOption: "On-Demand", autoScalingGroupName: "acme-api-on-demand-test", spot: false },
    { name: "spot", purchaseOption: "Spot", autoScalingGroupName: "acme-api-spot-test", spot: true },
    { name: "spot-fleet", purchaseOption: "Spot, capacity units", spotFleetRequestId: "sfr-0123456789abcdef", spot: true },
  ],
  jobs: [],
};

function synthDashboard(overrides: Partial<PlatformDashboardProps> = {}) {
  let construct: PlatformDashboard | undefined;
  const json = synthConstructs((scope) => {
    construct = new PlatformDashboard(scope, "dashboard", { ...baseProps, ...overrides });
  });
  const body = parseDashboard(soleResource(json, "aws_cloudwatch_dashboard").dashboard_body as string);
  return { body, metrics: widgetMetrics(body), construct: construct as PlatformDashboard };
}

describe("PlatformDashboard", () => {
  test("GIVEN a web service and a daemon WHEN synthesized THEN the web one gets its load balancer widgets and both get tasks, CPU and memory", () => {
    const { body } = synthDashboard();
    const titles = body.widgets.map((widget) => widget.properties.title);

    expect(titles.filter((title) => title.startsWith("api: "))).toEqual([
      "api: requests",
      "api: 5xx from targets",
      "api: latency (s)",
      "api: targets",
      "api: tasks and deployments",
      "api: CPU and memory (%)",
    ]);
    expect(titles.filter((title) => title.startsWith("agent: "))).toEqual(["agent: tasks and deployments", "agent: CPU and memory (%)"]);
  });

  test("GIVEN Spot and on-demand pools WHEN synthesized THEN the share on Spot counts the Spot pools over all of them", () => {
    const { body } = synthDashboard();
    const instances = body.widgets.find((widget) => widget.properties.title === "Instances by pool and purchase option");
    const expression = instances?.properties.metrics.flat().find((entry) => typeof entry === "object" && entry !== null && "expression" in entry) as { expression: string };

    expect(expression.expression).toBe("100 * (pool1 + pool2) / (pool0 + pool1 + pool2)");
    const labels = widgetMetrics({ widgets: instances ? [instances] : [] }).map((metric) => metric.options.label);
    expect(labels).toEqual(["on-demand (On-Demand)", "spot (Spot)", "spot-fleet (Spot, capacity units)", "registered with the cluster"]);
  });

  test.each([
    { case: "without the fallback", spotFallback: undefined, rows: 0 },
    { case: "with the fallback", spotFallback: { functionName: "acme-api-spot-fallback-test" }, rows: 2 },
  ])("GIVEN $case WHEN synthesized THEN its row shows its contract's metrics for the cluster ($rows widgets)", ({ spotFallback, rows }) => {
    const { body, metrics } = synthDashboard({ spotFallback });

    expect(body.widgets.filter((widget) => widget.properties.title.startsWith("Spot fallback"))).toHaveLength(rows);
    const fallback = metrics.filter((metric) => metric.namespace === FALLBACK_METRICS.namespace);
    const shown = Object.values(FALLBACK_METRICS.names);
    expect(fallback.map((metric) => metric.metricName)).toEqual(rows === 0 ? [] : shown);
    for (const metric of fallback) expect(metric.dimensions).toEqual({ [FALLBACK_METRICS.dimension]: "acme-api-test" });
  });

  test("GIVEN seven jobs WHEN synthesized THEN they fill rows of three", () => {
    const jobs = Array.from({ length: 7 }, (_, index) => ({ name: `job${index}`, ruleName: `rule${index}`, deadLetterQueueName: `dlq${index}` }));
    const { body } = synthDashboard({ jobs });
    const jobWidgets = body.widgets.filter((widget) => widget.properties.title.startsWith("job "));

    expect(jobWidgets.map((widget) => [widget.x, widget.width])).toEqual([[0, 8], [8, 8], [16, 8], [0, 8], [8, 8], [16, 8], [0, 8]]);
    expect(new Set(jobWidgets.map((widget) => widget.y)).size).toBe(3);
  });

  test.each([
    { region: "eu-west-1", host: "console.aws.amazon.com" },
    { region: "cn-north-1", host: "console.amazonaws.cn" },
    { region: "us-gov-west-1", host: "console.amazonaws-us-gov.com" },
  ])("GIVEN region $region THEN the dashboard link uses $host", ({ region, host }) => {
    expect(consoleHost(region)).toBe(host);
    expect(synthDashboard({ region }).construct.dashboardUrl).toBe(`https://${host}/cloudwatch/home?region=${region}#dashboards/dashboard/acme-api-platform-test`);
  });

  test("GIVEN a pool with neither an Auto Scaling group nor a Spot Fleet WHEN constructed THEN it names the pool", () => {
    const pools = [{ name: "lost", purchaseOption: "Spot", spot: true }];
    expect(() => synthDashboard({ pools })).toThrow('PlatformDashboard: pool "lost" needs an autoScalingGroupName or a spotFleetRequestId');
  });
});
