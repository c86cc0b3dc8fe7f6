import type { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface FailureAlarmProps {
  readonly alarmName: string;
  /** What the alarm means and where to look, for whoever is notified. */
  readonly alarmDescription: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  /** `Sum` for counts of events, `Maximum` for a depth. */
  readonly statistic: "Sum" | "Maximum";
  /** @default 300 */
  readonly periodSeconds?: number;
  /** @default - notifies no one */
  readonly alarmActions?: readonly string[];
}

/**
 * An alarm that fires on the first period counting anything: each failure (a failed run, a dead letter,
 * an error) is worth a look. No data means nothing failed, the healthy state.
 */
export function failureAlarm(scope: Construct, id: string, props: FailureAlarmProps): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.alarmDescription,
    namespace: props.namespace,
    metricName: props.metricName,
    dimensions: props.dimensions,
    statistic: props.statistic,
    period: props.periodSeconds ?? 300,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
    alarmActions: props.alarmActions && [...props.alarmActions],
  });
}
