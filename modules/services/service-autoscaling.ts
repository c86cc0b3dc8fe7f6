import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

/** Adds tasks in steps when an alarm fires: for bursts that target tracking follows too slowly. */
export interface StepScalingProps {
  readonly metric: "CPUUtilization" | "MemoryUtilization";
  /** Service average (percent) at which the alarm fires. */
  readonly thresholdPercent: number;
  /** One-minute periods the metric must stay at or above the threshold. */
  readonly evaluationPeriods: number;
  /** Tasks to add at the threshold, and from 20 points above it. */
  readonly scaleOutAdjustments: readonly [number, number];
  readonly cooldownSeconds: number;
}

export interface ServiceAutoScalingProps {
  readonly clusterName: string;
  readonly serviceName: string;
  /** Prefix of policy and alarm names, e.g. `acme-api-api-production`. */
  readonly namePrefix: string;
  readonly minCount: number;
  readonly maxCount: number;
  /**
   * Keep average service CPU at this percent.
   * @default - no CPU policy
   */
  readonly cpuTargetPercent?: number;
  /**
   * Keep average service memory at this percent.
   * @default - no memory policy
   */
  readonly memoryTargetPercent?: number;
  /**
   * Keep ALB requests per target per minute at this value; needs `requestCountResourceLabel`.
   * @default - no request-count policy
   */
  readonly requestsPerTarget?: number;
  /**
   * `<load balancer arn suffix>/<target group arn suffix>`, what ALBRequestCountPerTarget is measured on.
   * @default - none
   */
  readonly requestCountResourceLabel?: string;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  /**
   * Target tracking only adds tasks (scale in by hand or by another policy).
   * @default false
   */
  readonly disableScaleIn?: boolean;
  /** @default - no step scaling */
  readonly stepScaling?: StepScalingProps;
}

/** Application Auto Scaling of an ECS service's desired count: target tracking, plus optional step scaling. */
export class ServiceAutoScaling extends Construct {
  /** Names of the scaling policies, by kind (`cpu`, `memory`, `requests`, `step`). */
  public readonly policyNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceAutoScalingProps) {
    super(scope, id);
    if (props.requestsPerTarget !== undefined && props.requestCountResourceLabel === undefined) {
      throw new Error(`${props.serviceName}: requestsPerTarget needs requestCountResourceLabel (a service behind the load balancer)`);
    }
    const target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    const scalable = {
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
    };

    const trackers: Array<{ kind: string; metric: string; value: number; label?: string }> = [];
    if (props.cpuTargetPercent !== undefined) trackers.push({ kind: "cpu", metric: "ECSServiceAverageCPUUtilization", value: props.cpuTargetPercent });
    if (props.memoryTargetPercent !== undefined) {
      trackers.push({ kind: "memory", metric: "ECSServiceAverageMemoryUtilization", value: props.memoryTargetPercent });
    }
    if (props.requestsPerTarget !== undefined) {
      trackers.push({ kind: "requests", metric: "ALBRequestCountPerTarget", value: props.requestsPerTarget, label: props.requestCountResourceLabel });
    }

    const names: Record<string, string> = {};
    for (const tracker of trackers) {
      const policy = new AppautoscalingPolicy(this, tracker.kind, {
        ...scalable,
        name: `${props.namePrefix}-${tracker.kind}`,
        policyType: "TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration: {
          targetValue: tracker.value,
          predefinedMetricSpecification: { predefinedMetricType: tracker.metric, resourceLabel: tracker.label },
          scaleInCooldown: props.scaleInCooldownSeconds,
          scaleOutCooldown: props.scaleOutCooldownSeconds,
          disableScaleIn: props.disableScaleIn ?? false,
        },
      });
      names[tracker.kind] = policy.name;
    }

    if (props.stepScaling !== undefined) {
      const step = props.stepScaling;
      const policy = new AppautoscalingPolicy(this, "step", {
        ...scalable,
        name: `${props.namePrefix}-step`,
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "ChangeInCapacity",
          metricAggregationType: "Average",
          cooldown: step.cooldownSeconds,
          // Bounds are relative to the alarm threshold.
          stepAdjustment: [
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "20", scalingAdjustment: step.scaleOutAdjustments[0] },
            { metricIntervalLowerBound: "20", scalingAdjustment: step.scaleOutAdjustments[1] },
          ],
        },
      });
      names.step = policy.name;
      new CloudwatchMetricAlarm(this, "step-alarm", {
        alarmName: `${props.namePrefix}-${step.metric === "CPUUtilization" ? "cpu" : "memory"}-high`,
        alarmDescription: `Adds tasks to ${props.serviceName} in steps when its ${step.metric} reaches ${step.thresholdPercent}%`,
        namespace: "AWS/ECS",
        metricName: step.metric,
        dimensions: { ClusterName: props.clusterName, ServiceName: props.serviceName },
        statistic: "Average",
        period: 60,
        evaluationPeriods: step.evaluationPeriods,
        threshold: step.thresholdPercent,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [policy.arn],
      });
    }
    this.policyNames = names;
  }
}
