import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface ServiceAlarmsProps {
  /** The service, as people should read it in an alarm: e.g. `acme-api-api-production`. */
  readonly alarmNamePrefix: string;
  /** The load balancer's ARN suffix (`app/<name>/<id>`), the metrics' LoadBalancer dimension. */
  readonly loadBalancerArnSuffix: string;
  /** The target group's ARN suffix (`targetgroup/<name>/<id>`), the metrics' TargetGroup dimension. */
  readonly targetGroupArnSuffix: string;
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
  /** Both alarms' names (references, so a consumer such as the service's deployment alarms is created after them). */
  public readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const common = {
      namespace: "AWS/ApplicationELB",
      dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix },
      period: 60,
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
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      threshold: 0,
    });
    const target5xx = new CloudwatchMetricAlarm(this, "target-5xx", {
      ...common,
      alarmName: `${props.alarmNamePrefix}-target-5xx`,
      alarmDescription: `${props.alarmNamePrefix}: more than ${props.target5xxPerMinute} 5xx responses a minute from its targets for 3 minutes`,
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      threshold: props.target5xxPerMinute,
    });
    this.unhealthyTargetsAlarmArn = unhealthyTargets.arn;
    this.target5xxAlarmArn = target5xx.arn;
    this.alarmNames = [target5xx.alarmName, unhealthyTargets.alarmName];
  }
}
