import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { AMI_WATCH_METRICS } from "../../lambdas/ami-watch/metrics";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";
import { FALLBACK_METRICS } from "../../lambdas/spot-fallback/metrics";
import { jsonDocument } from "../platform/json-document";

/** A service of the cluster; web services have a target group behind the load balancer. */
export interface DashboardService {
  /** The name the team knows it by (config), shown in titles. */
  readonly name: string;
  /** The ECS service's name. */
  readonly serviceName: string;
  /**
   * The target group's ARN suffix (`targetgroup/...`), the `TargetGroup` dimension.
   * @default - a daemon: no load balancer widgets
   */
  readonly targetGroupArnSuffix?: string;
  /**
   * A traffic-shifting service's second target group: each deployment moves production to the other one,
   * so the widgets show both.
   * @default - one target group
   */
  readonly alternateTargetGroupArnSuffix?: string;
}

/** One pool of container instances and how it buys them. */
export interface DashboardPool {
  readonly name: string;
  /** Shown next to the pool: `On-Demand`, `Spot`, or a mix. */
  readonly purchaseOption: string;
  /** The pool's Auto Scaling group (its `GroupInServiceInstances`); exactly one of this and `spotFleetRequestId`. */
  readonly autoScalingGroupName?: string;
  /** The pool's Spot Fleet request (its `FulfilledCapacity`). */
  readonly spotFleetRequestId?: string;
  /** Whether its capacity counts as Spot in the share of capacity on Spot. */
  readonly spot: boolean;
}

/** A scheduled job: its schedule rule and dead letters, and what tells its failed runs. */
export interface DashboardJob {
  readonly name: string;
  readonly ruleName: string;
  readonly deadLetterQueueName: string;
  /** Jobs with retries: runs are the state machine's executions. */
  readonly stateMachineArn?: string;
  /** Jobs without retries: the rule that matches their failed runs. */
  readonly failureRuleName?: string;
}

export interface PlatformDashboardProps {
  readonly dashboardName: string;
  readonly region: string;
  readonly clusterName: string;
  /** The load balancer's ARN suffix (`app/...`), the `LoadBalancer` dimension. */
  readonly loadBalancerArnSuffix: string;
  readonly services: readonly DashboardService[];
  readonly pools: readonly DashboardPool[];
  /**
   * The cluster's capacity providers (their managed-scaling reservation).
   * @default - none (EC2 launch type)
   */
  readonly capacityProviderNames?: readonly string[];
  readonly jobs: readonly DashboardJob[];
  /**
   * The created web ACL's metric name (`WebACL` dimension).
   * @default - no firewall widget
   */
  readonly webAclMetricName?: string;
  /** @default - no drainer row */
  readonly drainer?: { readonly functionName: string; readonly interruptionRuleName: string; readonly rebalanceRuleName?: string };
  /** @default - no AMI watch widget */
  readonly amiWatch?: { readonly functionName: string; readonly environment: string };
  /** The on-demand fallback (lambdas/spot-fallback). @default - no fallback row */
  readonly spotFallback?: { readonly functionName: string };
  /** The deployment verification hook (lambdas/deployment-verification). @default - no hook widget */
  readonly deploymentVerification?: { readonly functionName: string };
}

/** A metric row of a widget: namespace, name, dimension name/value pairs, then rendering options. */
type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  readonly title: string;
  readonly metrics: MetricRow[];
  /** Grid columns out of 24. */
  readonly width: number;
  readonly rightLabel?: string;
}

const HEIGHT = 6;
const GRID = 24;
const PERIOD_SECONDS = 60;

/** One metric row; `options` are CloudWatch's (stat, label, id, yAxis, visible). */
function metric(namespace: string, name: string, dimensions: Record<string, string>, options: Record<string, unknown>): MetricRow {
  return [namespace, name, ...Object.entries(dimensions).flat(), options];
}

/** Deep links to the console work in commercial, China and GovCloud regions. */
export function consoleHost(region: string): string {
  if (region.startsWith("cn-")) return "console.amazonaws.cn";
  if (region.startsWith("us-gov-")) return "console.amazonaws-us-gov.com";
  return "console.aws.amazon.com";
}

/**
 * One CloudWatch dashboard for an environment, where to look when an alarm fires: a row per service
 * (requests, 5xx, latency, healthy targets, running vs desired tasks and deployments, CPU and memory),
 * the edge (load balancer and firewall), capacity and Spot (reservation, instances by pool and
 * purchase option with the share on Spot, interruptions and rebalance recommendations), the drainer,
 * the Spot fallback, the jobs (runs and failures) and the AMI watch. Every name comes from the
 * resources and the Lambdas' metric contracts; the body is built once, as one JSON document.
 */
export class PlatformDashboard extends Construct {
  public readonly dashboardName: string;
  public readonly dashboardArn: string;
  /** The dashboard in the CloudWatch console. */
  public readonly dashboardUrl: string;
  /** How many widgets the body has. */
  public readonly widgetCount: number;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const rows = [
      ...props.services.map((service) => this.serviceRow(props, service)),
      this.edgeRow(props),
      this.capacityRow(props),
      ...(props.drainer ? [this.drainerRow(props, props.drainer)] : []),
      ...(props.spotFallback ? [this.fallbackRow(props, props.spotFallback)] : []),
      ...(props.deploymentVerification ? [this.verificationRow(props.deploymentVerification)] : []),
      ...this.jobRows(props),
    ];
    const widgets = layout(rows, props.region);
    this.widgetCount = widgets.length;
    const dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.dashboardName,
      dashboardBody: jsonDocument({ start: "-PT6H", periodOverride: "inherit", widgets }),
    });
    this.dashboardName = dashboard.dashboardName;
    this.dashboardArn = dashboard.dashboardArn;
    this.dashboardUrl = `https://${consoleHost(props.region)}/cloudwatch/home?region=${props.region}#dashboards/dashboard/${props.dashboardName}`;
  }

  private serviceRow(props: PlatformDashboardProps, service: DashboardService): Widget[] {
    const ecs = { ClusterName: props.clusterName, ServiceName: service.serviceName };
    const tasks: Widget = {
      title: `${service.name}: tasks and deployments`,
      width: 4,
      rightLabel: "deployments",
      metrics: [
        metric("ECS/ContainerInsights", "RunningTaskCount", ecs, { stat: "Minimum", label: "running" }),
        metric("ECS/ContainerInsights", "DesiredTaskCount", ecs, { stat: "Maximum", label: "desired" }),
        metric("ECS/ContainerInsights", "PendingTaskCount", ecs, { stat: "Maximum", label: "pending" }),
        metric("ECS/ContainerInsights", "DeploymentCount", ecs, { stat: "Maximum", label: "deployments", yAxis: "right" }),
      ],
    };
    const usage: Widget = {
      title: `${service.name}: CPU and memory (%)`,
      width: 4,
      metrics: [
        metric("AWS/ECS", "CPUUtilization", ecs, { stat: "Average", label: "CPU" }),
        metric("AWS/ECS", "MemoryUtilization", ecs, { stat: "Average", label: "memory" }),
      ],
    };
    if (service.targetGroupArnSuffix === undefined) return [tasks, usage];
    const groups = [service.targetGroupArnSuffix, ...(service.alternateTargetGroupArnSuffix ? [service.alternateTargetGroupArnSuffix] : [])];
    // Both groups of a traffic-shifting service, the alternate's lines labelled so.
    const alb = (name: string, options: { label: string } & Record<string, unknown>) =>
      groups.map((group, index) =>
        metric("AWS/ApplicationELB", name, { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: group }, { ...options, label: index === 0 ? options.label : `${options.label} (alternate)` }),
      );
    return [
      { title: `${service.name}: requests`, width: 4, metrics: alb("RequestCount", { stat: "Sum", label: "requests" }) },
      {
        title: `${service.name}: 5xx from targets`,
        width: 4,
        metrics: [...alb("HTTPCode_Target_5XX_Count", { stat: "Sum", label: "5xx" }), ...alb("HTTPCode_Target_4XX_Count", { stat: "Sum", label: "4xx" })],
      },
      {
        title: `${service.name}: latency (s)`,
        width: 4,
        metrics: ["p50", "p90", "p99"].flatMap((stat) => alb("TargetResponseTime", { stat, label: stat })),
      },
      {
        title: `${service.name}: targets`,
        width: 4,
        metrics: [...alb("HealthyHostCount", { stat: "Minimum", label: "healthy" }), ...alb("UnHealthyHostCount", { stat: "Maximum", label: "unhealthy" })],
      },
      tasks,
      usage,
    ];
  }

  private edgeRow(props: PlatformDashboardProps): Widget[] {
    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const widgets: Widget[] = [
      {
        title: "Load balancer: requests and its own errors",
        width: 12,
        rightLabel: "errors",
        metrics: [
          metric("AWS/ApplicationELB", "RequestCount", lb, { stat: "Sum", label: "requests" }),
          metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, { stat: "Sum", label: "5xx from the load balancer", yAxis: "right" }),
          metric("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lb, { stat: "Sum", label: "4xx from the load balancer", yAxis: "right" }),
          metric("AWS/ApplicationELB", "RejectedConnectionCount", lb, { stat: "Sum", label: "rejected connections", yAxis: "right" }),
        ],
      },
    ];
    if (props.webAclMetricName !== undefined) {
      const acl = { Region: props.region, Rule: "ALL", WebACL: props.webAclMetricName };
      widgets.push({
        title: "Firewall: requests by action",
        width: 12,
        metrics: [
          metric("AWS/WAFV2", "AllowedRequests", acl, { stat: "Sum", label: "allowed" }),
          metric("AWS/WAFV2", "BlockedRequests", acl, { stat: "Sum", label: "blocked" }),
          metric("AWS/WAFV2", "CountedRequests", acl, { stat: "Sum", label: "counted" }),
        ],
      });
    }
    return widgets;
  }

  private capacityRow(props: PlatformDashboardProps): Widget[] {
    const cluster = { ClusterName: props.clusterName };
    const reservation: Widget = {
      title: "Cluster reservation (%)",
      width: 6,
      metrics: [
        metric("AWS/ECS", "CPUReservation", cluster, { stat: "Maximum", label: "CPU reserved" }),
        metric("AWS/ECS", "MemoryReservation", cluster, { stat: "Maximum", label: "memory reserved" }),
        ...(props.capacityProviderNames ?? []).map((name) =>
          metric("AWS/ECS/ManagedScaling", "CapacityProviderReservation", { CapacityProviderName: name, ClusterName: props.clusterName }, {
            stat: "Maximum",
            label: `capacity provider ${name}`,
          }),
        ),
      ],
    };
    const poolRows = props.pools.map((pool, index) => {
      const options = { stat: "Average", label: `${pool.name} (${pool.purchaseOption})`, id: `pool${index}` };
      if (pool.autoScalingGroupName !== undefined) {
        return metric("AWS/AutoScaling", "GroupInServiceInstances", { AutoScalingGroupName: pool.autoScalingGroupName }, options);
      }
      if (pool.spotFleetRequestId !== undefined) return metric("AWS/EC2Spot", "FulfilledCapacity", { FleetRequestId: pool.spotFleetRequestId }, options);
      throw new Error(`PlatformDashboard: pool "${pool.name}" needs an autoScalingGroupName or a spotFleetRequestId`);
    });
    const spotIds = props.pools.flatMap((pool, index) => (pool.spot ? [`pool${index}`] : []));
    const allIds = props.pools.map((_, index) => `pool${index}`);
    const instances: Widget = {
      title: "Instances by pool and purchase option",
      width: 6,
      rightLabel: "% on Spot",
      metrics: [
        ...poolRows,
        ...(spotIds.length > 0
          ? [[{ expression: `100 * (${spotIds.join(" + ")}) / (${allIds.join(" + ")})`, label: "share on Spot (%)", id: "spotShare", yAxis: "right" }]]
          : []),
        metric("ECS/ContainerInsights", "ContainerInstanceCount", cluster, { stat: "Average", label: "registered with the cluster" }),
      ],
    };
    const widgets = [reservation, instances];
    if (props.drainer) {
      const rule = (ruleName: string, label: string) => metric("AWS/Events", "MatchedEvents", { RuleName: ruleName }, { stat: "Sum", label });
      widgets.push({
        title: "Spot interruptions and rebalance recommendations",
        width: 6,
        metrics: [
          rule(props.drainer.interruptionRuleName, "interruption warnings"),
          ...(props.drainer.rebalanceRuleName !== undefined ? [rule(props.drainer.rebalanceRuleName, "rebalance recommendations")] : []),
          this.drainerMetric(props, DRAINER_METRICS.names.eventsHandled, { stat: "Sum", label: "handled by the drainer" }),
        ],
      });
    }
    if (props.amiWatch) {
      const watch = { [AMI_WATCH_METRICS.dimension]: props.amiWatch.environment };
      const names = AMI_WATCH_METRICS.names;
      widgets.push({
        title: "AMI watch: pools behind the recommended AMI",
        width: 6,
        metrics: [
          metric(AMI_WATCH_METRICS.namespace, names.poolsOutdated, watch, { stat: "Maximum", label: "outdated pools" }),
          metric(AMI_WATCH_METRICS.namespace, names.poolsFailed, watch, { stat: "Maximum", label: "pools not checked" }),
          metric(AMI_WATCH_METRICS.namespace, names.refreshesStarted, watch, { stat: "Sum", label: "refreshes started" }),
          metric("AWS/Lambda", "Errors", { FunctionName: props.amiWatch.functionName }, { stat: "Sum", label: "function errors" }),
        ],
      });
    }
    return widgets;
  }

  private drainerMetric(props: PlatformDashboardProps, name: string, options: Record<string, unknown>): MetricRow {
    return metric(DRAINER_METRICS.namespace, name, { [DRAINER_METRICS.dimension]: props.clusterName }, options);
  }

  private drainerRow(props: PlatformDashboardProps, drainer: NonNullable<PlatformDashboardProps["drainer"]>): Widget[] {
    const names = DRAINER_METRICS.names;
    const fn = { FunctionName: drainer.functionName };
    return [
      {
        title: drainer.rebalanceRuleName !== undefined ? "Drainer: drains, missed deadlines, refused terminations" : "Drainer: drains and missed deadlines",
        width: 6,
        metrics: [
          this.drainerMetric(props, names.eventsHandled, { stat: "Sum", label: "drains" }),
          this.drainerMetric(props, names.drainsMissedDeadline, { stat: "Sum", label: "missed the deadline" }),
          // Only rebalance drains that terminate their instance count refusals.
          ...(drainer.rebalanceRuleName !== undefined
            ? [this.drainerMetric(props, names.rebalanceTerminationsRefused, { stat: "Sum", label: "rebalance terminations refused" })]
            : []),
        ],
      },
      {
        title: "Drainer: drain duration (s)",
        width: 6,
        metrics: [
          this.drainerMetric(props, names.drainDuration, { stat: "Average", label: "average" }),
          this.drainerMetric(props, names.drainDuration, { stat: "Maximum", label: "longest" }),
        ],
      },
      {
        title: "Drainer: tasks stopped, targets still in use",
        width: 6,
        metrics: [
          this.drainerMetric(props, names.tasksStopped, { stat: "Sum", label: "tasks stopped before the deadline" }),
          this.drainerMetric(props, names.targetsStillInUse, { stat: "Maximum", label: "targets still in use at the end" }),
        ],
      },
      {
        title: "Drainer function",
        width: 6,
        rightLabel: "ms",
        metrics: [
          metric("AWS/Lambda", "Invocations", fn, { stat: "Sum", label: "invocations" }),
          metric("AWS/Lambda", "Errors", fn, { stat: "Sum", label: "errors" }),
          metric("AWS/Lambda", "Throttles", fn, { stat: "Sum", label: "throttles" }),
          metric("AWS/Lambda", "Duration", fn, { stat: "Maximum", label: "longest run", yAxis: "right" }),
        ],
      },
    ];
  }

  private fallbackRow(props: PlatformDashboardProps, fallback: NonNullable<PlatformDashboardProps["spotFallback"]>): Widget[] {
    const dimensions = { [FALLBACK_METRICS.dimension]: props.clusterName };
    const names = FALLBACK_METRICS.names;
    return [
      {
        title: "Spot fallback: on-demand held instead of Spot",
        width: 12,
        rightLabel: "instances",
        metrics: [
          metric(FALLBACK_METRICS.namespace, names.fallbackActive, dimensions, { stat: "Maximum", label: "fallback active (1 = on)" }),
          metric(FALLBACK_METRICS.namespace, names.onDemandInstancesAdded, dimensions, { stat: "Maximum", label: "on-demand instances added", yAxis: "right" }),
          metric(FALLBACK_METRICS.namespace, names.spotShortfall, dimensions, { stat: "Maximum", label: "instances Spot could not provide", yAxis: "right" }),
          metric(FALLBACK_METRICS.namespace, names.fallbackCapped, dimensions, { stat: "Maximum", label: "cost cap reached (1 = yes)" }),
        ],
      },
      {
        title: "Spot fallback function",
        width: 12,
        metrics: [
          metric("AWS/Lambda", "Invocations", { FunctionName: fallback.functionName }, { stat: "Sum", label: "invocations" }),
          metric("AWS/Lambda", "Errors", { FunctionName: fallback.functionName }, { stat: "Sum", label: "errors" }),
        ],
      },
    ];
  }

  private verificationRow(hook: NonNullable<PlatformDashboardProps["deploymentVerification"]>): Widget[] {
    const fn = { FunctionName: hook.functionName };
    return [
      {
        title: "Deployment verification hook: calls and errors (an error rolls the deployment back)",
        width: 12,
        metrics: [
          metric("AWS/Lambda", "Invocations", fn, { stat: "Sum", label: "calls" }),
          metric("AWS/Lambda", "Errors", fn, { stat: "Sum", label: "errors" }),
          metric("AWS/Lambda", "Throttles", fn, { stat: "Sum", label: "throttles" }),
        ],
      },
    ];
  }

  /** Three jobs to a row: runs, failures and dead letters of each. */
  private jobRows(props: PlatformDashboardProps): Widget[][] {
    const widgets = props.jobs.map((job): Widget => {
      const rule = { RuleName: job.ruleName };
      const deadLetters = metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: job.deadLetterQueueName }, {
        stat: "Maximum",
        label: "runs EventBridge could not start (dead letters)",
      });
      if (job.stateMachineArn !== undefined) {
        const machine = { StateMachineArn: job.stateMachineArn };
        return {
          title: `job ${job.name}: runs (with retries) and failures`,
          width: 8,
          metrics: [
            metric("AWS/States", "ExecutionsStarted", machine, { stat: "Sum", label: "runs" }),
            metric("AWS/States", "ExecutionsSucceeded", machine, { stat: "Sum", label: "succeeded" }),
            metric("AWS/States", "ExecutionsFailed", machine, { stat: "Sum", label: "failed every attempt" }),
            metric("AWS/States", "ExecutionsTimedOut", machine, { stat: "Sum", label: "timed out" }),
            metric("AWS/Events", "FailedInvocations", rule, { stat: "Sum", label: "runs not started" }),
            deadLetters,
          ],
        };
      }
      return {
        title: `job ${job.name}: runs and failures`,
        width: 8,
        metrics: [
          metric("AWS/Events", "Invocations", rule, { stat: "Sum", label: "runs started" }),
          metric("AWS/Events", "FailedInvocations", rule, { stat: "Sum", label: "runs not started" }),
          ...(job.failureRuleName !== undefined
            ? [metric("AWS/Events", "MatchedEvents", { RuleName: job.failureRuleName }, { stat: "Sum", label: "failed runs" })]
            : []),
          deadLetters,
        ],
      };
    });
    const rows: Widget[][] = [];
    for (let start = 0; start < widgets.length; start += GRID / 8) rows.push(widgets.slice(start, start + GRID / 8));
    return rows;
  }
}

/** Row after row, left to right; every widget a time series over the same period. */
function layout(rows: Widget[][], region: string): Record<string, unknown>[] {
  const placed: Record<string, unknown>[] = [];
  rows.forEach((row, rowIndex) => {
    let x = 0;
    for (const widget of row) {
      placed.push({
        type: "metric",
        x,
        y: rowIndex * HEIGHT,
        width: widget.width,
        height: HEIGHT,
        properties: {
          title: widget.title,
          region,
          view: "timeSeries",
          stacked: false,
          period: PERIOD_SECONDS,
          metrics: widget.metrics,
          yAxis: { left: { min: 0 }, ...(widget.rightLabel !== undefined && { right: { min: 0, label: widget.rightLabel, showUnits: false } }) },
        },
      });
      x += widget.width;
    }
  });
  return placed;
}
