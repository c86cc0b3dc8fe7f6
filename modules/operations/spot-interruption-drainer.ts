import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { NodejsFunction } from "./nodejs-function";
import { failureAlarm } from "../platform/failure-alarm";
import { DRAINER_METRICS } from "../../lambdas/spot-drainer/metrics";

/** EventBridge detail types the drainer handles; they must match the handler's (lambdas/spot-drainer/drain.ts). */
export const SPOT_INTERRUPTION_WARNING = "EC2 Spot Instance Interruption Warning";
export const REBALANCE_RECOMMENDATION = "EC2 Instance Rebalance Recommendation";
/** Detail type of ASG lifecycle actions; must match lambdas/spot-drainer/lifecycle.ts. */
export const LIFECYCLE_ACTION = "EC2 Instance-terminate Lifecycle Action";

/**
 * The whole 2-minute Spot warning: the handler's deadline (event time + 120 s − margin, and at most its
 * remaining invocation time − 2 s) never lies past an invocation this long, so the function is never cut
 * off in the middle of a drain it planned (lambdas/spot-drainer/drain.ts).
 */
const TIMEOUT_SECONDS = 120;
/** Lambda's longest timeout. */
const MAX_TIMEOUT_SECONDS = 900;
/** Lifecycle drains run up to the hook's heartbeat; this covers delivery and start-up on top. */
const LIFECYCLE_TIMEOUT_SLACK_SECONDS = 60;
/**
 * Until the instance is reclaimed a late event still helps (DRAINING, targets out of the load balancer);
 * the handler itself skips events older than the 2-minute warning.
 */
const MAXIMUM_EVENT_AGE_SECONDS = 120;

/** The subset of an EventBridge event pattern the rules use. */
interface EventPattern {
  readonly source: string[];
  readonly "detail-type": string[];
  readonly detail?: Record<string, string[]>;
}

/** An ASG termination lifecycle hook whose actions the function drains and completes. */
export interface DrainerLifecycleHook {
  readonly hookName: string;
  readonly autoScalingGroupName: string;
  /** Scopes `autoscaling:CompleteLifecycleAction`. */
  readonly autoScalingGroupArn: string;
  /** The hook's heartbeat timeout: the drain and the completion fit inside it. */
  readonly heartbeatTimeoutSeconds: number;
}

export interface SpotInterruptionDrainerProps {
  /** Name of the function, its role and its log group; at most 64 characters. */
  readonly functionName: string;
  /** Name of the rule for Spot interruption warnings; at most 64 characters. */
  readonly interruptionRuleName: string;
  /**
   * Name of the rule for rebalance recommendations; at most 64 characters. Required when
   * `drainOnRebalance` is true.
   * @default - no rebalance rule
   */
  readonly rebalanceRuleName?: string;
  /** Name of the SQS queue that keeps events the function failed on; at most 80 characters. */
  readonly failureQueueName: string;
  /** ECS cluster whose container instances are drained. */
  readonly clusterName: string;
  /** ARN of that cluster: scopes every ECS permission. */
  readonly clusterArn: string;
  /**
   * Target groups of this environment's services, a traffic-shifting service's alternate included (its tasks sit
   * in either): the only ones the function may deregister targets from (ARNs may be tokens). `instance` groups
   * (bridge tasks) and `ip` groups (awsvpc tasks) alike.
   * @default - none: the function deregisters nothing and only drains and stops tasks
   */
  readonly targetGroupArns?: string[];
  /** Seconds kept free before the 2-minute cliff. */
  readonly deadlineMarginSeconds: number;
  /** Longest SIGTERM-to-SIGKILL grace of any container on the instances: StopTask is sent this long before the deadline. */
  readonly stopTimeoutSeconds: number;
  /**
   * Also drain on EC2 Instance Rebalance Recommendations. Only for Spot Fleet capacity: an ASG with
   * capacity rebalance replaces such instances itself and managed draining moves their tasks, so
   * draining there too would only churn nodes.
   * @default false
   */
  readonly drainOnRebalance?: boolean;
  /**
   * After draining an instance on a rebalance recommendation, terminate it: the Spot Fleet (capacity
   * rebalance, strategy `launch`) has launched its replacement and no longer counts it, but leaves it
   * running. Allowed only on instances EC2 tagged with this request's `aws:ec2spot:fleet-request-id`.
   * Needs `drainOnRebalance`.
   * @default - rebalance drains leave the instance running
   */
  readonly terminateAfterRebalanceDrain?: { readonly spotFleetRequestId: string };
  /**
   * ASG termination hooks to drain and complete: groups without managed draining (spot-fleet mode's
   * on-demand ASG). Needs `lifecycleRuleName`.
   * @default - none: ASG terminations are left to managed draining
   */
  readonly lifecycleHooks?: DrainerLifecycleHook[];
  /**
   * Name of the rule for those hooks' lifecycle actions; at most 64 characters. Required when
   * `lifecycleHooks` is not empty.
   * @default - no lifecycle rule
   */
  readonly lifecycleRuleName?: string;
  /** Concurrency reserved for the function, so a Spot storm interrupting many instances at once is drained in parallel. */
  readonly reservedConcurrency: number;
  /** Days the function's log group keeps logs. */
  readonly logRetentionDays: number;
  /** @default "PassThrough" */
  readonly tracingMode?: "PassThrough" | "Active";
  /**
   * Where the alarms on failed drains notify (SNS topic ARNs).
   * @default - none: the alarms only show in the console
   */
  readonly alarmActions?: string[];
}

/**
 * Drains an ECS container instance when EC2 announces that its Spot capacity is reclaimed: marks
 * it DRAINING, deregisters its targets from the load balancer, waits for the deregistration delay
 * and stops what is left before the instance goes (lambdas/spot-drainer).
 *
 * When each drain path is needed:
 * - **Spot Fleet capacity**: this function is the only drain path. A Spot Fleet is not an ASG, so
 *   it has no capacity provider, no managed draining and no lifecycle hooks.
 * - **ASG capacity providers**: it is a backstop. Managed draining already drains every ASG
 *   termination (scale-in, instance refresh, capacity rebalance) through ECS's own termination
 *   lifecycle hook, so no `lifecycleHooks` are passed there; a Spot reclaim is not an ASG
 *   termination, and the ECS agent's Spot draining (ECS_ENABLE_SPOT_INSTANCE_DRAINING) only sets
 *   DRAINING without deregistering targets first.
 * - **ASGs without managed draining** (`lifecycleHooks`, spot-fleet mode's on-demand ASG): the only
 *   drain path for their scale-in, instance refresh and health replacements. A rule on their
 *   termination lifecycle actions (filtered on group and hook name) invokes the same function,
 *   which drains like on a Spot warning but with the hook's heartbeat as budget, then completes
 *   the action with CONTINUE (`autoscaling:CompleteLifecycleAction` on those groups only).
 * - **Rebalance recommendations** (`drainOnRebalance`): only for Spot Fleet, where nothing else acts
 *   on them. They arrive earlier than the warning, sometimes together with it, and are best effort.
 *
 * Events are never retried: a retry after the warning drains an instance that is gone. Failed events
 * land in an encrypted SQS queue, and alarms watch that queue and the function's errors.
 *
 * Timeout: 120 s (the whole warning) for Spot alone. With lifecycle hooks the one function gets the longest heartbeat
 * plus 60 s (at most Lambda's 900 s): the Spot path still bounds itself by the 2-minute warning, and
 * the lifecycle path completes the action before the earlier of the heartbeat and the function's
 * remaining time (so a heartbeat over 840 s is cut short, never left to time out). The invoke
 * config's 120 s maximum event age holds for lifecycle actions too: EventBridge delivers them at once,
 * and one only ages out when throttled, in which case it lands in the failure queue and the hook
 * continues the termination undrained at its heartbeat timeout. A lifecycle drain holds one unit of
 * the reserved concurrency for up to the heartbeat; an instance refresh replaces few instances at a time.
 */
export class SpotInterruptionDrainer extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleName: string;
  public readonly logGroupName: string;
  /** Rule for Spot interruption warnings. */
  public readonly interruptionRuleArn: string;
  public readonly interruptionRuleName: string;
  /** Rule for rebalance recommendations, when `drainOnRebalance` is true. */
  public readonly rebalanceRuleArn?: string;
  public readonly rebalanceRuleName?: string;
  /** The cluster the drainer's metrics are published for (their `ClusterName` dimension). */
  public readonly clusterName: string;
  /** Rule for ASG termination lifecycle actions, when `lifecycleHooks` are given. */
  public readonly lifecycleRuleArn?: string;
  public readonly failureQueueArn: string;
  public readonly failureQueueUrl: string;
  /** Bytes of the deployed zip. */
  public readonly bundleBytes: number;
  /** Alarm on rebalance drains that did not terminate their instance, when `terminateAfterRebalanceDrain`. */
  public readonly rebalanceRefusedAlarmArn?: string;

  constructor(scope: Construct, id: string, props: SpotInterruptionDrainerProps) {
    super(scope, id);
    const drainOnRebalance = props.drainOnRebalance ?? false;
    if (drainOnRebalance && props.rebalanceRuleName === undefined) {
      throw new Error("SpotInterruptionDrainer: rebalanceRuleName is required when drainOnRebalance is true");
    }
    const terminate = props.terminateAfterRebalanceDrain;
    if (terminate && !drainOnRebalance) throw new Error("SpotInterruptionDrainer: terminateAfterRebalanceDrain needs drainOnRebalance");
    const targetGroupArns = props.targetGroupArns ?? [];
    const hooks = props.lifecycleHooks ?? [];
    if (hooks.length > 0 && props.lifecycleRuleName === undefined) {
      throw new Error("SpotInterruptionDrainer: lifecycleRuleName is required when lifecycleHooks are given");
    }
    const heartbeatSeconds = Math.max(0, ...hooks.map((hook) => hook.heartbeatTimeoutSeconds));
    const timeoutSeconds =
      hooks.length > 0 ? Math.max(TIMEOUT_SECONDS, Math.min(MAX_TIMEOUT_SECONDS, heartbeatSeconds + LIFECYCLE_TIMEOUT_SLACK_SECONDS)) : TIMEOUT_SECONDS;
    const onCluster = [{ test: "ArnEquals", variable: "ecs:cluster", values: [props.clusterArn] }];

    const fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      entry: "lambdas/spot-drainer/handler.ts",
      description:
        hooks.length > 0
          ? "Drains ECS container instances on EC2 Spot interruption warnings and ASG termination lifecycle actions"
          : "Drains ECS container instances on EC2 Spot interruption warnings",
      timeoutSeconds,
      reservedConcurrency: props.reservedConcurrency,
      tracingMode: props.tracingMode,
      logRetentionDays: props.logRetentionDays,
      environment: {
        CLUSTER_NAME: props.clusterName,
        DEADLINE_MARGIN_SECONDS: String(props.deadlineMarginSeconds),
        // The role may deregister only from these, so the handler skips any other target group it finds.
        TARGET_GROUP_ARNS: Fn.join(",", targetGroupArns),
        DRAIN_ON_REBALANCE: String(drainOnRebalance),
        STOP_TIMEOUT_SECONDS: String(props.stopTimeoutSeconds),
        ...(terminate ? { TERMINATE_AFTER_REBALANCE_DRAIN: "true" } : {}),
        ...(hooks.length > 0
          ? {
              // The handler completes only these hooks' actions; others on the same group are not its to answer.
              LIFECYCLE_HOOK_NAMES: Fn.join(",", hooks.map((hook) => hook.hookName)),
              LIFECYCLE_HEARTBEAT_SECONDS: String(heartbeatSeconds),
            }
          : {}),
      },
      policyStatements: [
        { sid: "FindContainerInstance", actions: ["ecs:ListContainerInstances"], resources: [props.clusterArn] },
        {
          // These act on container-instance and task ARNs; the cluster condition keeps them to this cluster.
          sid: "DrainInstanceAndStopTasks",
          actions: [
            "ecs:DescribeContainerInstances",
            "ecs:UpdateContainerInstancesState",
            "ecs:ListTasks",
            "ecs:DescribeTasks",
            "ecs:StopTask",
          ],
          resources: ["*"],
          condition: onCluster,
        },
        {
          sid: "MapServicesToTargetGroups",
          actions: ["ecs:DescribeServices"],
          resources: [`${Fn.replace(props.clusterArn, ":cluster/", ":service/")}/*`],
        },
        ...(targetGroupArns.length > 0
          ? [{ sid: "DeregisterOwnTargets", actions: ["elasticloadbalancing:DeregisterTargets"], resources: targetGroupArns }]
          : []),
        // Describe* calls of Elastic Load Balancing have no resource-level permissions.
        { sid: "WatchTargetsDrain", actions: ["elasticloadbalancing:DescribeTargetHealth"], resources: ["*"] },
        ...(terminate
          ? [
              {
                // Only the fleet's own instances: EC2 tags each with the request id, and nobody can set aws: tags.
                sid: "TerminateRebalancedFleetInstances",
                actions: ["ec2:TerminateInstances"],
                resources: ["*"],
                condition: [{ test: "StringEquals", variable: "ec2:ResourceTag/aws:ec2spot:fleet-request-id", values: [terminate.spotFleetRequestId] }],
              },
              // Whether an interruption warning follows the recommendation (Describe* has no resource-level permissions).
              { sid: "CheckScheduledInterruption", actions: ["ec2:DescribeSpotInstanceRequests"], resources: ["*"] },
            ]
          : []),
        ...(hooks.length > 0
          ? [
              {
                sid: "CompleteOwnLifecycleActions",
                actions: ["autoscaling:CompleteLifecycleAction"],
                resources: hooks.map((hook) => hook.autoScalingGroupArn),
              },
            ]
          : []),
      ],
    });

    const failures = new SqsQueue(this, "failures", {
      name: props.failureQueueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    // Lambda checks the destination permission when the invoke config is saved, so it gets its own policy to depend on.
    const sendFailures = new DataAwsIamPolicyDocument(this, "failure-destination", {
      statement: [{ sid: "RecordFailedEvents", actions: ["sqs:SendMessage"], resources: [failures.arn] }],
    });
    const sendFailuresPolicy = new IamRolePolicy(this, "failure-destination-policy", {
      name: `${props.functionName}-failures`,
      role: fn.roleName,
      policy: sendFailures.json,
    });
    // One function, one setting: a lifecycle action throttled in a Spot storm is still worth draining until
    // its heartbeat runs out (the handler skips Spot events past their 2 minutes by itself).
    const longestHeartbeat = Math.max(0, ...hooks.map((hook) => hook.heartbeatTimeoutSeconds));
    new LambdaFunctionEventInvokeConfig(this, "invoke-config", {
      functionName: fn.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: Math.max(MAXIMUM_EVENT_AGE_SECONDS, longestHeartbeat),
      destinationConfig: { onFailure: { destination: failures.arn } },
      dependsOn: [sendFailuresPolicy],
    });

    const ec2Event = (detailType: string) => ({ source: ["aws.ec2"], "detail-type": [detailType] });
    const interruption = this.subscribe("interruption", props.interruptionRuleName, ec2Event(SPOT_INTERRUPTION_WARNING), fn);
    const rebalance =
      drainOnRebalance && props.rebalanceRuleName !== undefined
        ? this.subscribe("rebalance", props.rebalanceRuleName, ec2Event(REBALANCE_RECOMMENDATION), fn)
        : undefined;
    const lifecycle =
      hooks.length > 0 && props.lifecycleRuleName !== undefined
        ? this.subscribe("lifecycle", props.lifecycleRuleName, {
            source: ["aws.autoscaling"],
            "detail-type": [LIFECYCLE_ACTION],
            // Managed draining's hook may sit on the same group; its actions are ECS's to complete.
            detail: {
              AutoScalingGroupName: hooks.map((hook) => hook.autoScalingGroupName),
              LifecycleHookName: hooks.map((hook) => hook.hookName),
            },
          }, fn, longestHeartbeat)
        : undefined;

    failureAlarm(this, "failed-events-alarm", {
      alarmName: `${props.failureQueueName}-not-empty`,
      alarmDescription: `Spot interruption events the drainer failed on are waiting in ${props.failureQueueName}: instances may have been reclaimed without draining`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: failures.name },
      statistic: "Maximum",
      alarmActions: props.alarmActions,
    });
    // The handler's own measure (lambdas/spot-drainer/metrics.ts): tasks were still running when the instance went.
    failureAlarm(this, "missed-deadline-alarm", {
      alarmName: `${props.functionName}-missed-deadline`,
      alarmDescription: `The Spot drainer ${props.functionName} did not finish a drain before the interruption deadline: requests may have been cut off; see its log group`,
      namespace: DRAINER_METRICS.namespace,
      metricName: DRAINER_METRICS.names.drainsMissedDeadline,
      dimensions: { [DRAINER_METRICS.dimension]: props.clusterName },
      statistic: "Sum",
      periodSeconds: 60,
      alarmActions: props.alarmActions,
    });
    failureAlarm(this, "errors-alarm", {
      alarmName: `${props.functionName}-errors`,
      alarmDescription: `The Spot interruption drainer ${props.functionName} failed: see its log group`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.functionName },
      statistic: "Sum",
      periodSeconds: 60,
      alarmActions: props.alarmActions,
    });

    if (terminate) {
      // The handler counts every rebalance drain that ended without a termination (metrics.ts, embedded metric format).
      this.rebalanceRefusedAlarmArn = failureAlarm(this, "rebalance-refused-alarm", {
        alarmName: `${props.functionName}-rebalance-refused`,
        alarmDescription:
          `A rebalance drain of ${props.clusterName} did not terminate its instance (work not moved, tasks still stopping, targets in use or no room) and returned it to ACTIVE: ` +
          "the fleet no longer counts it. Search the drainer's log for RebalanceTerminationRefused; the interruption warning drains it, or terminate it once its work has moved",
        namespace: DRAINER_METRICS.namespace,
        metricName: DRAINER_METRICS.names.rebalanceTerminationsRefused,
        dimensions: { [DRAINER_METRICS.dimension]: props.clusterName },
        statistic: "Sum",
        alarmActions: props.alarmActions,
      }).arn;
    }

    this.functionName = fn.functionName;
    this.clusterName = props.clusterName;
    this.functionArn = fn.functionArn;
    this.roleName = fn.roleName;
    this.logGroupName = fn.logGroupName;
    this.interruptionRuleArn = interruption.arn;
    this.interruptionRuleName = interruption.name;
    this.rebalanceRuleName = rebalance?.name;
    this.rebalanceRuleArn = rebalance?.arn;
    this.lifecycleRuleArn = lifecycle?.arn;
    this.failureQueueArn = failures.arn;
    this.failureQueueUrl = failures.url;
    this.bundleBytes = fn.bundleBytes;
  }

  /** An EventBridge rule for one detail type that invokes the function. */
  private subscribe(id: string, ruleName: string, pattern: EventPattern, fn: NodejsFunction, maximumEventAgeSeconds = MAXIMUM_EVENT_AGE_SECONDS): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, `${id}-rule`, {
      name: ruleName,
      description: `${pattern["detail-type"].join(", ")} -> ${fn.functionName}`,
      eventPattern: JSON.stringify(pattern),
    });
    new CloudwatchEventTarget(this, `${id}-target`, {
      rule: rule.name,
      arn: fn.functionArn,
      // EventBridge only retries failed deliveries; past the 2-minute warning (or a lifecycle heartbeat) nothing is left to drain.
      retryPolicy: { maximumEventAgeInSeconds: maximumEventAgeSeconds, maximumRetryAttempts: 2 },
    });
    new LambdaPermission(this, `${id}-permission`, {
      statementId: `AllowEventBridge-${id}`,
      action: "lambda:InvokeFunction",
      functionName: fn.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
    return rule;
  }
}
