import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface ScalableTargetProps {
  /** e.g. `ec2` (Spot Fleet) or `ecs` (services). */
  readonly serviceNamespace: string;
  /** e.g. `spot-fleet-request/sfr-…` or `service/<cluster>/<service>`. */
  readonly resourceId: string;
  /** e.g. `ec2:spot-fleet-request:TargetCapacity` or `ecs:service:DesiredCount`. */
  readonly scalableDimension: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

export interface TargetTrackingPolicyProps {
  readonly policyName: string;
  /** A predefined metric such as `EC2SpotFleetRequestAverageCPUUtilization` or `ECSServiceAverageCPUUtilization`. */
  readonly predefinedMetricType: string;
  /** Required for `ALBRequestCountPerTarget`: `<alb arn suffix>/<target group arn suffix>`. */
  readonly resourceLabel?: string;
  readonly targetValue: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  /**
   * Only ever scale out with this policy.
   * @default false
   */
  readonly disableScaleIn?: boolean;
}

/** A CloudWatch alarm that triggers a step scaling policy when the metric is at or above the threshold. */
export interface StepAlarmProps {
  readonly alarmName: string;
  /** What the alarm means, for whoever sees it fire. */
  readonly alarmDescription: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly threshold: number;
  /**
   * How datapoints are aggregated over a period.
   * @default "Average"
   */
  readonly statistic?: string;
  /**
   * Length of one datapoint.
   * @default 60
   */
  readonly periodSeconds?: number;
  /**
   * Consecutive breaching datapoints before the alarm fires.
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** One step: add `adjustment` when the metric is at least `fromAboveThreshold` over the alarm threshold. */
export interface ScalingStep {
  readonly fromAboveThreshold: number;
  readonly adjustment: number;
}

export interface StepScalingPolicyProps {
  readonly policyName: string;
  /** Steps in ascending order; the first usually starts at 0 (at the threshold), the last is open-ended. */
  readonly steps: ScalingStep[];
  readonly cooldownSeconds: number;
  /** Alarms that each trigger the policy (they share the threshold the steps are relative to). */
  readonly alarms: StepAlarmProps[];
}

/**
 * An Application Auto Scaling target (Spot Fleet capacity, ECS service desired count, …) with
 * target tracking and alarm-driven step scaling policies. Uses the service-linked role
 * Application Auto Scaling creates for the namespace, so no role is declared here.
 */
export class ScalableTarget extends Construct {
  public readonly target: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: ScalableTargetProps) {
    super(scope, id);
    if (props.maxCapacity < props.minCapacity) throw new Error(`${props.resourceId}: maxCapacity must be >= minCapacity`);
    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: props.serviceNamespace,
      resourceId: props.resourceId,
      scalableDimension: props.scalableDimension,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
    });
  }

  /** Keeps a predefined metric at a target value (scales out and, unless disabled, in). */
  addTargetTrackingPolicy(id: string, props: TargetTrackingPolicyProps): AppautoscalingPolicy {
    return new AppautoscalingPolicy(this, id, {
      name: props.policyName,
      policyType: "TargetTrackingScaling",
      serviceNamespace: this.target.serviceNamespace,
      resourceId: this.target.resourceId,
      scalableDimension: this.target.scalableDimension,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: props.predefinedMetricType, resourceLabel: props.resourceLabel },
        targetValue: props.targetValue,
        scaleInCooldown: props.scaleInCooldownSeconds,
        scaleOutCooldown: props.scaleOutCooldownSeconds,
        disableScaleIn: props.disableScaleIn ?? false,
      },
    });
  }

  /** Adds capacity in steps when any of the alarms fires; scale-in is left to target tracking. */
  addStepScalingPolicy(id: string, props: StepScalingPolicyProps): AppautoscalingPolicy {
    if (props.steps.length === 0) throw new Error(`${props.policyName}: needs at least one step`);
    if (props.alarms.length === 0) throw new Error(`${props.policyName}: needs at least one alarm`);
    props.steps.forEach((step, index) => {
      if (index > 0 && step.fromAboveThreshold <= props.steps[index - 1].fromAboveThreshold) {
        throw new Error(`${props.policyName}: steps must be in ascending order`);
      }
    });
    const policy = new AppautoscalingPolicy(this, id, {
      name: props.policyName,
      policyType: "StepScaling",
      serviceNamespace: this.target.serviceNamespace,
      resourceId: this.target.resourceId,
      scalableDimension: this.target.scalableDimension,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: props.cooldownSeconds,
        metricAggregationType: "Maximum",
        stepAdjustment: props.steps.map((step, index) => ({
          metricIntervalLowerBound: String(step.fromAboveThreshold),
          metricIntervalUpperBound: index + 1 < props.steps.length ? String(props.steps[index + 1].fromAboveThreshold) : undefined,
          scalingAdjustment: step.adjustment,
        })),
      },
    });
    props.alarms.forEach((alarm, index) => {
      new CloudwatchMetricAlarm(this, `${id}-alarm-${index}`, {
        alarmName: alarm.alarmName,
        alarmDescription: alarm.alarmDescription,
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        statistic: alarm.statistic ?? "Average",
        period: alarm.periodSeconds ?? 60,
        evaluationPeriods: alarm.evaluationPeriods ?? 2,
        threshold: alarm.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [policy.arn],
      });
    });
    return policy;
  }
}
