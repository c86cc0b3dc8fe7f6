import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { FALLBACK_METRICS } from "../../lambdas/spot-fallback/metrics";
import { fitName, NAME_LIMITS } from "../platform/naming";
import { LambdaFailureQueue } from "./lambda-failure-queue";
import { NodejsFunction } from "./nodejs-function";
import { scheduleFunction } from "./function-schedule";

/** The lever in capacity-providers mode: the Spot ASG's on-demand base. */
export interface SpotGroupLeverProps {
  readonly mode: "capacity-providers";
  readonly spotGroupName: string;
  readonly spotGroupArn: string;
  /** The Spot ASG's launch template: Auto Scaling checks the caller may launch from it on every update. */
  readonly launchTemplateArn: string;
  /** The role of the template's instance profile, which that check passes to EC2. */
  readonly instanceRoleArn: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The configured on-demand base: the floor the fallback adds to. */
  readonly baseCapacity: number;
  /** The configured share of on-demand instances above the base (below 100). */
  readonly onDemandPercentageAboveBase: number;
}

/** The lever in spot-fleet mode: the on-demand ASG's desired capacity. */
export interface OnDemandGroupLeverProps {
  readonly mode: "spot-fleet";
  readonly spotFleetRequestId: string;
  readonly onDemandGroupName: string;
  readonly onDemandGroupArn: string;
  /** The group's configured size: the floor the fallback adds to. */
  readonly onDemandFloor: number;
  /** Fleet capacity units one on-demand instance stands in for. */
  readonly onDemandInstanceWeight: number;
}

export interface SpotFallbackProps {
  /** Name of the function, its role and log group; at most 64 characters. */
  readonly functionName: string;
  /** Name of the schedule rule; at most 64 characters. */
  readonly ruleName: string;
  /** Name of the SSM parameter holding the controller's state, e.g. `/acme-api/production/spot-fallback`. */
  readonly stateParameterName: string;
  readonly clusterName: string;
  readonly lever: SpotGroupLeverProps | OnDemandGroupLeverProps;
  /** Minutes between checks. */
  readonly checkIntervalMinutes: number;
  readonly sustainSeconds: number;
  readonly settleSeconds: number;
  /** The cost cap: the most on-demand instances the fallback adds. */
  readonly maxOnDemandInstances: number;
  readonly recoveryHoldSeconds: number;
  readonly maxRecoveryHoldSeconds: number;
  readonly recoveryStepInstances: number;
  readonly recoveryStepIntervalSeconds: number;
  /**
   * A capacity error counts as current this long after it happened (Auto Scaling and Spot Fleet retry failed launches within minutes).
   * @default 300
   */
  readonly errorWindowSeconds?: number;
  readonly logRetentionDays: number;
  /**
   * Keeps checks that failed (at most 80 characters).
   * @default - `<functionName>-failures`
   */
  readonly failureQueueName?: string;
  /** @default "PassThrough" */
  readonly tracingMode?: "PassThrough" | "Active";
  /**
   * Notified when the fallback starts and ends, hits its cap, or cannot run (SNS topic ARNs).
   * @default - none
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The on-demand fallback (lambdas/spot-fallback): a scheduled controller that holds capacity on
 * on-demand while Spot cannot be had and gives it back to Spot gradually once it can.
 *
 * It coexists with Terraform by changing one attribute that Terraform ignores: the Spot ASG's
 * `mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity` (the Compute
 * construct's `fallbackOwnsOnDemandBase`), or the on-demand ASG's `desired_capacity` in spot-fleet
 * mode (ignored anyway). The controller keeps the configured value as its floor, so a config change
 * still reaches the group, within a check interval. Its state parameter's value is ignored too.
 *
 * Alerts are alarms on its own metrics, notifying `alarmActions` on entering and leaving:
 * fallback active and cost cap reached; failed checks land in a failure queue with its own alarm.
 */
export class SpotFallback extends Construct {
  public readonly functionName: string;
  public readonly roleName: string;
  public readonly ruleArn: string;
  public readonly stateParameterName: string;
  /** Bytes of the deployed zip. */
  public readonly bundleBytes: number;

  constructor(scope: Construct, id: string, props: SpotFallbackProps) {
    super(scope, id);
    const lever = props.lever;
    if (lever.mode === "capacity-providers" && lever.onDemandPercentageAboveBase >= 100) {
      throw new Error("SpotFallback: a Spot ASG that buys no Spot (onDemandPercentageAboveBase 100) has nothing to fall back from");
    }
    const errorWindowSeconds = props.errorWindowSeconds ?? 300;

    const state = new SsmParameter(this, "state", {
      name: props.stateParameterName,
      description: `State of the Spot fallback controller of ${props.clusterName}; written by ${props.functionName}`,
      type: "String",
      value: "{}",
      // The controller owns the value from the first run on.
      lifecycle: { ignoreChanges: ["value"] },
    });

    const leverStatements: DataAwsIamPolicyDocumentStatement[] =
      lever.mode === "capacity-providers"
        ? [
            { sid: "MoveSpotGroupBase", actions: ["autoscaling:UpdateAutoScalingGroup"], resources: [lever.spotGroupArn] },
            ...launchCheckStatements(lever),
          ]
        : [
            // Neither supports resource-level permissions.
            { sid: "ReadSpotFleet", actions: ["ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetRequestHistory"], resources: ["*"] },
            { sid: "SizeOnDemandGroup", actions: ["autoscaling:SetDesiredCapacity"], resources: [lever.onDemandGroupArn] },
          ];
    const leverEnvironment: Record<string, string> =
      lever.mode === "capacity-providers"
        ? {
            SPOT_GROUP_NAME: lever.spotGroupName,
            BASE_CAPACITY: String(lever.baseCapacity),
            ON_DEMAND_PERCENTAGE_ABOVE_BASE: String(lever.onDemandPercentageAboveBase),
          }
        : {
            SPOT_FLEET_REQUEST_ID: lever.spotFleetRequestId,
            ON_DEMAND_GROUP_NAME: lever.onDemandGroupName,
            ON_DEMAND_FLOOR: String(lever.onDemandFloor),
            ON_DEMAND_INSTANCE_WEIGHT: String(lever.onDemandInstanceWeight),
          };

    const fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      entry: "lambdas/spot-fallback/handler.ts",
      description: "Holds ECS capacity on on-demand while Spot cannot be had, and moves it back to Spot gradually",
      timeoutSeconds: 30,
      logRetentionDays: props.logRetentionDays,
      // One controller at a time: two would both raise for the same shortfall.
      reservedConcurrency: 1,
      tracingMode: props.tracingMode,
      environment: {
        MODE: lever.mode,
        CLUSTER_NAME: props.clusterName,
        STATE_PARAMETER_NAME: state.name,
        SUSTAIN_SECONDS: String(props.sustainSeconds),
        ERROR_WINDOW_SECONDS: String(errorWindowSeconds),
        SETTLE_SECONDS: String(props.settleSeconds),
        MAX_ADDED_INSTANCES: String(props.maxOnDemandInstances),
        RECOVERY_HOLD_SECONDS: String(props.recoveryHoldSeconds),
        MAX_RECOVERY_HOLD_SECONDS: String(props.maxRecoveryHoldSeconds),
        RECOVERY_STEP_INSTANCES: String(props.recoveryStepInstances),
        RECOVERY_STEP_INTERVAL_SECONDS: String(props.recoveryStepIntervalSeconds),
        ...leverEnvironment,
      },
      policyStatements: [
        // Neither supports resource-level permissions.
        { sid: "ReadGroups", actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"], resources: ["*"] },
        { sid: "OwnState", actions: ["ssm:GetParameter", "ssm:PutParameter"], resources: [state.arn] },
        ...leverStatements,
      ],
    });

    const minutes = props.checkIntervalMinutes;
    const rule = scheduleFunction(this, fn, {
      ruleName: props.ruleName,
      description: `Checks whether ${props.clusterName} gets its Spot capacity, and falls back to on-demand when not`,
      scheduleExpression: `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`,
    });

    const actions = props.alarmActions && props.alarmActions.length > 0 ? [...props.alarmActions] : undefined;
    const ownMetric = (id: string, metricName: string, alarmName: string, alarmDescription: string) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName,
        alarmDescription,
        namespace: FALLBACK_METRICS.namespace,
        metricName,
        dimensions: { [FALLBACK_METRICS.dimension]: props.clusterName },
        statistic: "Maximum",
        period: 60 * minutes,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        // A silent controller is the errors alarm's business; this one keeps its last state.
        treatMissingData: "ignore",
        alarmActions: actions,
        okActions: actions,
      });
    ownMetric(
      "active-alarm",
      FALLBACK_METRICS.names.fallbackActive,
      `${props.functionName}-active`,
      `Spot capacity of ${props.clusterName} could not be had: the fallback holds on-demand instances (OnDemandInstancesAdded) until Spot launches succeed again, then steps back. OK = back on Spot. See the function's log group.`,
    );
    ownMetric(
      "capped-alarm",
      FALLBACK_METRICS.names.fallbackCapped,
      `${props.functionName}-capped`,
      `The Spot fallback of ${props.clusterName} reached its cost cap (spotFallback.maxOnDemandInstances = ${props.maxOnDemandInstances}) and capacity is still missing: tasks wait for placement. Raise the cap or add capacity by hand.`,
    );
    const failureQueueName = props.failureQueueName ?? fitName(`${props.functionName}-failures`, NAME_LIMITS.sqsQueue);
    new LambdaFailureQueue(this, "failures", {
      functionName: fn.functionName,
      roleName: fn.roleName,
      queueName: failureQueueName,
      alarmName: `${failureQueueName}-not-empty`,
      alarmDescription: `A check of the Spot fallback of ${props.clusterName} failed (permissions, throttling, missing group): while checks fail, nothing falls back to on-demand. The events are in ${failureQueueName}; see the function's log group.`,
      alarmActions: props.alarmActions,
      // The next scheduled check is the retry; an older check would act on stale observations.
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 60,
    });

    this.functionName = fn.functionName;
    this.roleName = fn.roleName;
    this.ruleArn = rule.arn;
    this.stateParameterName = state.name;
    this.bundleBytes = fn.bundleBytes;
  }
}

/**
 * What Auto Scaling's launch-template check asks of the caller of UpdateAutoScalingGroup on a group that uses a
 * launch template ("Control Amazon EC2 launch template usage in Auto Scaling groups", Amazon EC2 Auto Scaling
 * User Guide: permissions for ec2:RunInstances, iam:PassRole and ec2:CreateTags "are checked when an Auto Scaling
 * group is created or updated using a launch template"; the page does not exempt an update that leaves the
 * template alone). The grant launches nothing by itself: RunInstances only from this group's template, the
 * template's instance role passed to EC2 only, tags only on what RunInstances creates.
 */
function launchCheckStatements(lever: SpotGroupLeverProps): DataAwsIamPolicyDocumentStatement[] {
  const ec2 = (resource: string, account: string = lever.accountId) => `arn:${lever.partition}:ec2:${lever.region}:${account}:${resource}`;
  const launched = ["instance/*", "volume/*", "network-interface/*"].map((resource) => ec2(resource));
  return [
    {
      sid: "LaunchFromSpotTemplate",
      actions: ["ec2:RunInstances"],
      resources: [lever.launchTemplateArn, ...launched, ec2("subnet/*"), ec2("security-group/*"), ec2("image/*", "")],
      condition: [{ test: "ArnEquals", variable: "ec2:LaunchTemplate", values: [lever.launchTemplateArn] }],
    },
    // A Spot request carries no ec2:LaunchTemplate key; without the conditioned resources above it launches nothing.
    { sid: "LaunchSpotFromSpotTemplate", actions: ["ec2:RunInstances"], resources: [ec2("spot-instances-request/*")] },
    {
      sid: "PassInstanceRole",
      actions: ["iam:PassRole"],
      resources: [lever.instanceRoleArn],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
    },
    {
      sid: "TagLaunchedResources",
      actions: ["ec2:CreateTags"],
      resources: [...launched, ec2("spot-instances-request/*")],
      condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["RunInstances"] }],
    },
  ];
}
