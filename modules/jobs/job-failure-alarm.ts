import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { failureAlarm } from "../platform/failure-alarm";
import { eventTargetQueue } from "./event-target-queue";

export interface JobFailureAlarmProps {
  /** The job's name, for descriptions and alarm texts. */
  readonly jobName: string;
  /** Cluster the job's tasks run in. */
  readonly clusterArn: string;
  /** The task group the job's runs are started with (e.g. `job:<name>`); service tasks never share it. */
  readonly taskGroup: string;
  /** Rule on the job's stopped tasks. */
  readonly ruleName: string;
  /** Keeps the failed tasks' events (exit codes, stop reason) for 14 days. */
  readonly queueName: string;
  readonly alarmName: string;
  /**
   * Notified when a run fails (SNS topic ARNs).
   * @default - none: the alarm state alone is visible in CloudWatch
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The event pattern of a failed run: one of the job's tasks STOPPED in its cluster with a
 * container that exited non-zero (a crash, or SIGTERM/SIGKILL from a Spot interruption), or
 * never started (image pull, capacity that never came, resource errors).
 */
export function failedRunPattern(clusterArn: string, taskGroup: string): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      group: [taskGroup],
      lastStatus: ["STOPPED"],
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    },
  };
}

/**
 * The failure signal of a job whose schedule starts its task directly (no Step Functions): an
 * EventBridge rule on the job's failed `ECS Task State Change` events, an encrypted queue that keeps
 * those events (which task, which exit code, why it stopped), and an alarm on the rule's
 * `Invocations` that fires in the five minutes after every failure and clears by itself.
 *
 * The rule, not the queue depth, drives the alarm, so each failure notifies again even while
 * earlier events still sit unread in the queue.
 */
export class JobFailureAlarm extends Construct {
  public readonly ruleArn: string;
  public readonly ruleName: string;
  public readonly queueArn: string;
  public readonly queueUrl: string;
  public readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: JobFailureAlarmProps) {
    super(scope, id);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: `Scheduled job ${props.jobName}: a run stopped with a non-zero exit code or failed to start`,
      eventPattern: JSON.stringify(failedRunPattern(props.clusterArn, props.taskGroup)),
    });

    const queue = eventTargetQueue(this, { queueName: props.queueName, sid: "FailedRunEvents", sourceRuleArns: rule.arn });
    new CloudwatchEventTarget(this, "target", { rule: rule.name, targetId: "failed-runs", arn: queue.arn });

    const alarm = failureAlarm(this, "alarm", {
      alarmName: props.alarmName,
      alarmDescription: `Scheduled job ${props.jobName}: a run failed (non-zero exit or failed to start); the task's stop event is in ${props.queueName}`,
      namespace: "AWS/Events",
      metricName: "Invocations",
      dimensions: { RuleName: rule.name },
      statistic: "Sum",
      alarmActions: props.alarmActions ?? [],
    });

    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.alarmArn = alarm.arn;
  }
}
