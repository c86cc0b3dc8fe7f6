import { Construct } from "constructs";
import { failureAlarm } from "../platform/failure-alarm";
import { eventTargetQueue } from "./event-target-queue";

export interface EventDeadLetterQueueProps {
  readonly queueName: string;
  /** EventBridge rules whose targets may send here; nobody else can. */
  readonly sourceRuleArns: readonly string[];
  readonly alarmName: string;
  /** Says what landed in the queue, e.g. which job failed to launch. */
  readonly alarmDescription: string;
  /**
   * Notified when the queue holds a message (SNS topic ARNs).
   * @default - none: the alarm state alone is visible in CloudWatch
   */
  readonly alarmActions?: readonly string[];
}

/**
 * Dead-letter queue for EventBridge targets: events EventBridge could not deliver after its
 * retries (a RunTask or StartExecution that failed) land here instead of being dropped, and an
 * alarm fires as soon as one does. Encrypted with SQS-managed keys, which EventBridge can
 * write to without a KMS key policy.
 */
export class EventDeadLetterQueue extends Construct {
  public readonly queueArn: string;
  public readonly queueUrl: string;
  public readonly queueName: string;
  public readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: EventDeadLetterQueueProps) {
    super(scope, id);

    const queue = eventTargetQueue(this, { queueName: props.queueName, sid: "EventBridgeRuleTargets", sourceRuleArns: props.sourceRuleArns });

    const alarm = failureAlarm(this, "depth-alarm", {
      alarmName: props.alarmName,
      alarmDescription: props.alarmDescription,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.name },
      statistic: "Maximum",
      alarmActions: props.alarmActions ?? [],
    });

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.queueName = queue.name;
    this.alarmArn = alarm.arn;
  }
}
