import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface ServiceAlarmsProps {
  /** The service, as people should read it in an alarm: e.g. `acme-api-api-production`. */
  readonly alarmNamePrefix: string;
  /** The load balancer's ARN suffix (`app/<name>/<id>`), the metrics' LoadBalancer dimension. */
  readonly loadBalancerArnSuffix: string;
  /** The target group's ARN suffix (`targetgroup/<name>/<id>`), the metrics' TargetGroup dimension. */
  readonly targetGroupArnSuffix: string;
  /**
   * The target group a traffic-shifting service alternates with: the alarms then watch both groups, since
   * either serves production after a deployment, and both during a canary or bake.
   * @default - the one target group
   */
  readonly alternateTargetGroupArnSuffix?: string;
  /**
   * Also alarm when the targets' p99 response time exceeds this many seconds, 2 minutes running.
   * @default - no latency alarm
   */
  readonly latencyP99Seconds?: number;
  /** 5xx responses from the service's targets per minute that count as an incident. */
  readonly target5xxPerMinute: number;
  /**
   * What the alarms notify.
   * @default - nothing (visible in CloudWatch only)
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The two signals that a web service is failing its clients, from the load balancer's point of
 * view: targets failing health checks (tasks crash-looping, or Spot replacements not becoming
 * healthy) and targets answering 5xx. Both need three bad minutes in a row, so a single Spot
 * interruption, which deregisters targets cleanly, does not page anyone.
 */
export class ServiceAlarms extends Construct {
  public readonly unhealthyTargetsAlarmArn: string;
  public readonly target5xxAlarmArn: string;
  /** When `latencyP99Seconds` is set. */
  public readonly latencyAlarmArn?: string;
  /** Both alarms' names (references, so a consumer such as the service's deployment alarms is created after them). */
  public readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const groups = [props.targetGroupArnSuffix, ...(props.alternateTargetGroupArnSuffix ? [props.alternateTargetGroupArnSuffix] : [])];
    // One target group: the metric itself (as ever). Two: the metric of each, combined by `combine`.
    const signal = (metricName: string, statistic: string, combine: (ids: string[]) => string) =>
      groups.length === 1
        ? { namespace: "AWS/ApplicationELB", dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: groups[0] }, period: 60, metricName, ...statisticOf(statistic) }
        : {
            metricQuery: [
              ...groups.map((group, index) => ({
                id: `tg${index}`,
                returnData: false,
                metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: group }, period: 60, stat: statistic },
              })),
              { id: "both", expression: combine(groups.map((_group, index) => `tg${index}`)), label: `${metricName} of both target groups`, returnData: true },
            ],
          };
    const common = {
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: "GreaterThanThreshold",
      // No data: no traffic or no targets yet, which the other alarm or the deploy shows.
      treatMissingData: "notBreaching",
      alarmActions: [...(props.alarmActions ?? [])],
      okActions: [...(props.alarmActions ?? [])],
    };
    const unhealthyTargets = new CloudwatchMetricAlarm(this, "unhealthy-targets", {
      ...common,
      alarmName: `${props.alarmNamePrefix}-unhealthy-targets`,
      alarmDescription: `${props.alarmNamePrefix}: targets failing load balancer health checks for 3 minutes`,
      ...signal("UnHealthyHostCount", "Maximum", (ids) => `MAX([${ids.map((id) => `FILL(${id}, 0)`).join(", ")}])`),
      threshold: 0,
    });
    const target5xx = new CloudwatchMetricAlarm(this, "target-5xx", {
      ...common,
      alarmName: `${props.alarmNamePrefix}-target-5xx`,
      alarmDescription: `${props.alarmNamePrefix}: more than ${props.target5xxPerMinute} 5xx responses a minute from its targets for 3 minutes`,
      ...signal("HTTPCode_Target_5XX_Count", "Sum", (ids) => ids.map((id) => `FILL(${id}, 0)`).join(" + ")),
      threshold: props.target5xxPerMinute,
    });
    const latency =
      props.latencyP99Seconds === undefined
        ? undefined
        : new CloudwatchMetricAlarm(this, "target-latency", {
            ...common,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            alarmName: `${props.alarmNamePrefix}-target-latency`,
            alarmDescription: `${props.alarmNamePrefix}: p99 target response time above ${props.latencyP99Seconds} s for 2 minutes`,
            ...signal("TargetResponseTime", "p99", (ids) => `MAX([${ids.join(", ")}])`),
            threshold: props.latencyP99Seconds,
          });
    this.latencyAlarmArn = latency?.arn;
    this.unhealthyTargetsAlarmArn = unhealthyTargets.arn;
    this.target5xxAlarmArn = target5xx.arn;
    this.alarmNames = [target5xx.alarmName, unhealthyTargets.alarmName, ...(latency ? [latency.alarmName] : [])];
  }
}

/** `statistic` for the standard statistics, `extendedStatistic` for percentiles such as p99. */
function statisticOf(statistic: string): { statistic?: string; extendedStatistic?: string } {
  return /^p\d/.test(statistic) ? { extendedStatistic: statistic } : { statistic };
}
