import { Construct } from "constructs";
import { AppautoscalingPolicy, type AppautoscalingPolicyStepScalingPolicyConfigurationStepAdjustment } from "@cdktf/provider-aws/lib/appautoscaling-policy";
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

/** One CloudWatch metric, as a metric math input. */
export interface MetricMathInput {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: string;
}

/** A metric math expression over named metrics, e.g. `MAX([cpu, memory])`. */
export interface MetricMath {
  readonly expression: string;
  readonly label: string;
  /** The expression's inputs by id (lowercase letters and digits, starting with a letter). */
  readonly metrics: Record<string, MetricMathInput>;
}

/**
 * A CloudWatch alarm that triggers a step scaling policy: at or above the threshold for scale-out,
 * at or below it for scale-in. On one metric (`namespace`, `metricName`, `dimensions`) or on `metricMath`.
 */
export interface StepAlarmProps {
  readonly alarmName: string;
  /** What the alarm means, for whoever sees it fire. */
  readonly alarmDescription: string;
  /** @default - none; required unless `metricMath` is set */
  readonly namespace?: string;
  /** @default - none; required unless `metricMath` is set */
  readonly metricName?: string;
  /** @default {} */
  readonly dimensions?: Record<string, string>;
  /**
   * Alarm on an expression instead of one metric (statistic applies to its inputs).
   * @default - a single metric
   */
  readonly metricMath?: MetricMath;
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

/** Removes capacity when all of its alarm's datapoints are at or below the threshold. */
export interface StepScaleInPolicyProps {
  readonly policyName: string;
  /** Capacity units removed each time the alarm fires (a positive number). */
  readonly removeCapacity: number;
  readonly cooldownSeconds: number;
  readonly alarms: StepAlarmProps[];
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

  /** Adds capacity in steps when any of the alarms fires. */
  addStepScalingPolicy(id: string, props: StepScalingPolicyProps): AppautoscalingPolicy {
    if (props.steps.length === 0) throw new Error(`${props.policyName}: needs at least one step`);
    if (props.alarms.length === 0) throw new Error(`${props.policyName}: needs at least one alarm`);
    props.steps.forEach((step, index) => {
      if (index > 0 && step.fromAboveThreshold <= props.steps[index - 1].fromAboveThreshold) {
        throw new Error(`${props.policyName}: steps must be in ascending order`);
      }
    });
    const stepAdjustment = props.steps.map((step, index) => ({
      metricIntervalLowerBound: String(step.fromAboveThreshold),
      metricIntervalUpperBound: index + 1 < props.steps.length ? String(props.steps[index + 1].fromAboveThreshold) : undefined,
      scalingAdjustment: step.adjustment,
    }));
    return this.stepPolicy(id, props, stepAdjustment, "GreaterThanOrEqualToThreshold");
  }

  /** Removes capacity when any of the alarms fires (scale-in on the signal the alarms watch). */
  addStepScaleInPolicy(id: string, props: StepScaleInPolicyProps): AppautoscalingPolicy {
    if (!(props.removeCapacity > 0)) throw new Error(`${props.policyName}: removeCapacity must be > 0`);
    if (props.alarms.length === 0) throw new Error(`${props.policyName}: needs at least one alarm`);
    // At or below the threshold (the alarm's own comparison), one step.
    return this.stepPolicy(id, props, [{ metricIntervalUpperBound: "0", scalingAdjustment: -props.removeCapacity }], "LessThanOrEqualToThreshold");
  }

  /** A step scaling policy and the alarms that trigger it, comparing the way its steps read. */
  private stepPolicy(
    id: string,
    props: { readonly policyName: string; readonly cooldownSeconds: number; readonly alarms: readonly StepAlarmProps[] },
    stepAdjustment: AppautoscalingPolicyStepScalingPolicyConfigurationStepAdjustment[],
    comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanOrEqualToThreshold",
  ): AppautoscalingPolicy {
    const policy = new AppautoscalingPolicy(this, id, {
      name: props.policyName,
      policyType: "StepScaling",
      serviceNamespace: this.target.serviceNamespace,
      resourceId: this.target.resourceId,
      scalableDimension: this.target.scalableDimension,
      stepScalingPolicyConfiguration: { adjustmentType: "ChangeInCapacity", cooldown: props.cooldownSeconds, metricAggregationType: "Maximum", stepAdjustment },
    });
    props.alarms.forEach((alarm, index) => this.alarm(`${id}-alarm-${index}`, alarm, comparisonOperator, policy.arn));
    return policy;
  }

  private alarm(id: string, alarm: StepAlarmProps, comparisonOperator: string, policyArn: string): CloudwatchMetricAlarm {
    const period = alarm.periodSeconds ?? 60;
    const statistic = alarm.statistic ?? "Average";
    const common = {
      alarmName: alarm.alarmName,
      alarmDescription: alarm.alarmDescription,
      evaluationPeriods: alarm.evaluationPeriods ?? 2,
      threshold: alarm.threshold,
      comparisonOperator,
      // No data (a cluster without instances) must neither add nor remove capacity.
      treatMissingData: "notBreaching",
      alarmActions: [policyArn],
    };
    if (alarm.metricMath) {
      const math = alarm.metricMath;
      return new CloudwatchMetricAlarm(this, id, {
        ...common,
        metricQuery: [
          { id: "signal", expression: math.expression, label: math.label, returnData: true },
          ...Object.entries(math.metrics).map(([metricId, metric]) => ({
            id: metricId,
            returnData: false,
            metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions, stat: metric.statistic, period },
          })),
        ],
      });
    }
    if (alarm.namespace === undefined || alarm.metricName === undefined) {
      throw new Error(`${alarm.alarmName}: set namespace and metricName, or metricMath`);
    }
    return new CloudwatchMetricAlarm(this, id, {
      ...common,
      namespace: alarm.namespace,
      metricName: alarm.metricName,
      dimensions: alarm.dimensions,
      statistic,
      period,
    });
  }
}
