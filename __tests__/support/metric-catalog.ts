import { AMI_WATCH_METRICS } from "../../lambdas/ami-watch/metrics";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";
import { FALLBACK_METRICS } from "../../lambdas/spot-fallback/metrics";

/** The dimension sets a metric is published with (each sorted), by metric name. */
type Namespace = Readonly<Record<string, readonly (readonly string[])[]>>;

const each = (names: readonly string[], dimensionSets: readonly (readonly string[])[]): Record<string, readonly (readonly string[])[]> =>
  Object.fromEntries(names.map((name) => [name, dimensionSets.map((set) => [...set].sort())]));

const contract = (metrics: { readonly dimension: string; readonly names: Readonly<Record<string, string>> }) => each(Object.values(metrics.names), [[metrics.dimension]]);

/**
 * What AWS publishes, as its metric lists say (only the metrics and dimension sets the dashboard may
 * use), plus the platform's own Lambdas' metric contracts. A widget naming anything else shows nothing.
 */
export const METRIC_CATALOG: Readonly<Record<string, Namespace>> = {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
  "AWS/ApplicationELB": {
    ...each(["RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_Target_4XX_Count", "TargetResponseTime"], [["LoadBalancer"], ["LoadBalancer", "TargetGroup"]]),
    ...each(["HealthyHostCount", "UnHealthyHostCount"], [["LoadBalancer", "TargetGroup"]]),
    ...each(["HTTPCode_ELB_5XX_Count", "HTTPCode_ELB_4XX_Count", "RejectedConnectionCount"], [["LoadBalancer"]]),
  },
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
  "ECS/ContainerInsights": {
    ...each(["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount", "DeploymentCount"], [["ClusterName", "ServiceName"]]),
    ...each(["ContainerInstanceCount"], [["ClusterName"]]),
  },
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
  "AWS/ECS": {
    ...each(["CPUUtilization", "MemoryUtilization"], [["ClusterName"], ["ClusterName", "ServiceName"]]),
    ...each(["CPUReservation", "MemoryReservation"], [["ClusterName"]]),
  },
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html (managed scaling)
  "AWS/ECS/ManagedScaling": each(["CapacityProviderReservation"], [["CapacityProviderName", "ClusterName"]]),
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html (only while group metrics are enabled)
  "AWS/AutoScaling": each(["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances"], [["AutoScalingGroupName"]]),
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-cloudwatch-metrics.html
  "AWS/EC2Spot": each(["FulfilledCapacity", "TargetCapacity", "PendingCapacity"], [["FleetRequestId"]]),
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
  "AWS/Events": each(["MatchedEvents", "Invocations", "FailedInvocations", "TriggeredRules"], [["RuleName"]]),
  // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
  "AWS/States": each(["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"], [["StateMachineArn"]]),
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
  "AWS/SQS": each(["ApproximateNumberOfMessagesVisible"], [["QueueName"]]),
  // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
  "AWS/Lambda": each(["Invocations", "Errors", "Throttles", "Duration"], [["FunctionName"]]),
  // https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html (regional web ACLs)
  "AWS/WAFV2": each(["AllowedRequests", "BlockedRequests", "CountedRequests"], [["Region", "Rule", "WebACL"]]),
  [DRAINER_METRICS.namespace]: contract(DRAINER_METRICS),
  [FALLBACK_METRICS.namespace]: contract(FALLBACK_METRICS),
  [AMI_WATCH_METRICS.namespace]: contract(AMI_WATCH_METRICS),
};

/** A metric a dashboard widget names. */
export interface WidgetMetric {
  readonly widget: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly options: Record<string, unknown>;
}

interface DashboardBody {
  widgets: Array<{ type: string; x: number; y: number; width: number; height: number; properties: { title: string; metrics: unknown[][] } }>;
}

export function parseDashboard(body: string): DashboardBody {
  return JSON.parse(body) as DashboardBody;
}

/** Every metric row of every widget (math expressions left out). */
export function widgetMetrics(body: DashboardBody): WidgetMetric[] {
  return body.widgets.flatMap((widget) =>
    widget.properties.metrics
      .filter((row) => typeof row[0] === "string")
      .map((row) => {
        const [namespace, metricName, ...rest] = row as [string, string, ...unknown[]];
        const options = (typeof rest[rest.length - 1] === "object" ? rest.pop() : {}) as Record<string, unknown>;
        const pairs = rest as string[];
        const dimensions: Record<string, string> = {};
        for (let index = 0; index < pairs.length; index += 2) dimensions[pairs[index] as string] = pairs[index + 1] as string;
        return { widget: widget.properties.title, namespace, metricName, dimensions, options };
      }),
  );
}
