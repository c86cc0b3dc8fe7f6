import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { isValidScheduleExpression } from "./schedule-expression";
import { EventDeadLetterQueue } from "./event-dead-letter-queue";
import { JobFailureAlarm } from "./job-failure-alarm";
import {
  eventBridgeContainerOverrides,
  PLACEMENT_STRATEGY,
  runTaskStatements,
  type CapacityProviderStrategyItem,
  type RunTaskScope,
} from "./ecs-run-task";
import { RetryingTaskStateMachine } from "./retrying-task-state-machine";

/** Where a job that runs its task directly reports a failed run (see `JobFailureAlarm`). */
export interface ScheduledTaskFailureSignal {
  /** Rule on the job's failed `ECS Task State Change` events. */
  readonly ruleName: string;
  /** Keeps those events for 14 days. */
  readonly queueName: string;
  readonly alarmName: string;
}

/** Run through Step Functions and run again when the task fails. */
export interface ScheduledTaskRetry {
  /** Further attempts after a failed run (1-10). */
  readonly retries: number;
  readonly stateMachineName: string;
  readonly roleName: string;
  /** Execution log group; put it under `/aws/vendedlogs/states/`. */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** Alarm on runs that failed on every attempt. */
  readonly alarmName: string;
  /** @default "ERROR" */
  readonly logLevel?: "ALL" | "ERROR" | "FATAL";
  /** @default false */
  readonly includeExecutionData?: boolean;
  /** X-Ray tracing of executions. @default false */
  readonly tracing?: boolean;
}

export interface ScheduledTaskProps {
  /** The job's name, for descriptions and alarm texts. */
  readonly jobName: string;
  readonly ruleName: string;
  /** EventBridge `cron(min hour day-of-month month day-of-week year)` or `rate(N unit)`. */
  readonly scheduleExpression: string;
  /**
   * A paused job keeps its rule, disabled.
   * @default true
   */
  readonly enabled?: boolean;
  /** Role EventBridge assumes to start the run. */
  readonly eventsRoleName: string;
  readonly deadLetterQueueName: string;
  readonly deadLetterAlarmName: string;
  /**
   * Notified by the job's alarms (SNS topic ARNs).
   * @default - none
   */
  readonly alarmActions?: readonly string[];
  /** Partition, region and account of the stack, for the ARNs the roles are scoped to. */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  /** Task definition family to run: always its latest ACTIVE revision. */
  readonly taskDefinitionFamily: string;
  /** Container whose command and environment the run overrides. */
  readonly containerName: string;
  /** Roles of the task definition, the only ones the run may pass. */
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  /**
   * Replaces the container's command.
   * @default - the task definition's command
   */
  readonly command?: readonly string[];
  /**
   * Environment variables added for this job.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Tasks started per run (1-10); must be 1 with `retry`.
   * @default 1
   */
  readonly taskCount?: number;
  /**
   * Capacity provider strategy of the run.
   * @default - the EC2 launch type (clusters without capacity providers, e.g. Spot Fleet)
   */
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  /**
   * How long EventBridge keeps retrying a launch it could not make before dead-lettering it.
   * @default 3600
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * EventBridge's own delivery retries before dead-lettering.
   * @default 3
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Retry the task itself when it fails (Spot interruption, non-zero exit).
   * @default - the rule runs the task directly, once per schedule
   */
  readonly retry?: ScheduledTaskRetry;
  /**
   * Required without `retry`: the alarm on failed runs. With `retry`, the state machine's alarm on
   * executions that failed every attempt is the job's failure signal instead.
   * @default - none (only allowed with `retry`)
   */
  readonly failureSignal?: ScheduledTaskFailureSignal;
}

/**
 * One scheduled job on an ECS cluster: an EventBridge schedule rule whose target runs a task,
 * either directly (ECS target) or, for jobs that must finish, through a Step Functions state
 * machine that retries it. Launches EventBridge could not make land in a dead-letter queue
 * with an alarm.
 *
 * The target names the task definition by its family ARN without a revision, so each run uses
 * the latest ACTIVE revision. CI deploys register new revisions of the service's family; a
 * pinned revision would keep running the old image until the next `terraform apply`, and
 * ignoring `ecs_target` changes instead would also hide real changes to the target (task count,
 * capacity). The IAM role therefore allows the family and every revision of it, and nothing else.
 */
export class ScheduledTask extends Construct {
  public readonly ruleArn: string;
  public readonly ruleName: string;
  public readonly eventsRoleArn: string;
  /** Family ARN without a revision: what every run starts. */
  public readonly taskDefinitionArn: string;
  public readonly deadLetterQueueArn: string;
  public readonly deadLetterQueueUrl: string;
  public readonly deadLetterQueueName: string;
  /** Only for jobs with `retry`. */
  public readonly stateMachineArn?: string;
  /** The task group every run is started in, `job:<jobName>`: how its stop events are told from the service's. */
  public readonly taskGroup: string;
  /** Only for jobs without `retry`: where the events of failed runs are kept. */
  public readonly failureQueueUrl?: string;
  /** Only for jobs without `retry`: the rule that matches their failed runs. */
  public readonly failureRuleName?: string;
  /** The alarm that fires when a run fails: on failed runs, or on executions that failed every attempt. */
  public readonly failureAlarmArn: string;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    checkProps(props);

    const { partition, region, accountId } = props;
    this.taskGroup = `job:${props.jobName}`;
    const ecsArnPrefix = `arn:${partition}:ecs:${region}:${accountId}`;
    this.taskDefinitionArn = `${ecsArnPrefix}:task-definition/${props.taskDefinitionFamily}`;
    const runTask: RunTaskScope = {
      clusterArn: props.clusterArn,
      taskDefinitionArn: this.taskDefinitionArn,
      taskArns: `${ecsArnPrefix}:task/${props.clusterName}/*`,
      passRoleArns: [props.taskRoleArn, props.executionRoleArn],
    };
    const containerOverride = {
      containerName: props.containerName,
      command: props.command ?? [],
      environment: props.environment ?? {},
    };

    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: `Scheduled job ${props.jobName}`,
      scheduleExpression: props.scheduleExpression,
      state: props.enabled === false ? "DISABLED" : "ENABLED",
    });

    const deadLetters = new EventDeadLetterQueue(this, "dead-letters", {
      queueName: props.deadLetterQueueName,
      sourceRuleArns: [rule.arn],
      alarmName: props.deadLetterAlarmName,
      alarmDescription: `Scheduled job ${props.jobName}: EventBridge could not start a run; the failed event is in ${props.deadLetterQueueName}`,
      alarmActions: props.alarmActions,
    });

    const stateMachine = props.retry
      ? new RetryingTaskStateMachine(this, "retrying", {
          stateMachineName: props.retry.stateMachineName,
          roleName: props.retry.roleName,
          logGroupName: props.retry.logGroupName,
          logRetentionDays: props.retry.logRetentionDays,
          logLevel: props.retry.logLevel,
          includeExecutionData: props.retry.includeExecutionData,
          tracing: props.retry.tracing,
          alarmName: props.retry.alarmName,
          alarmActions: props.alarmActions,
          partition,
          region,
          accountId,
          runTask,
          containerOverride,
          capacityProviderStrategy: props.capacityProviderStrategy,
          retries: props.retry.retries,
        })
      : undefined;

    const eventsRole = new IamRole(this, "events-role", {
      name: props.eventsRoleName,
      description: `Lets EventBridge start scheduled job ${props.jobName}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        // No source conditions: EventBridge does not document them for target roles, and a
        // mismatch would silently stop every run. The role's permissions are what is scoped.
        Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    new IamRolePolicy(this, "events-policy", {
      role: eventsRole.name,
      name: stateMachine ? "start-execution" : "run-task",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: stateMachine
          ? [{ Sid: "StartJob", Effect: "Allow", Action: "states:StartExecution", Resource: stateMachine.stateMachineArn }]
          : runTaskStatements(runTask),
      }),
    });

    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      targetId: stateMachine ? "start-execution" : "run-task",
      arn: stateMachine ? stateMachine.stateMachineArn : props.clusterArn,
      roleArn: eventsRole.arn,
      ...(stateMachine
        ? {}
        : {
            ecsTarget: {
              taskDefinitionArn: this.taskDefinitionArn,
              taskCount: props.taskCount ?? 1,
              ...(props.capacityProviderStrategy
                ? {
                    capacityProviderStrategy: props.capacityProviderStrategy.map((item) => ({
                      capacityProvider: item.capacityProvider,
                      weight: item.weight,
                      base: item.base ?? 0,
                    })),
                  }
                : { launchType: "EC2" }),
              orderedPlacementStrategy: PLACEMENT_STRATEGY.map((strategy) => ({ ...strategy })),
              propagateTags: "TASK_DEFINITION",
              enableEcsManagedTags: true,
              group: this.taskGroup,
            },
            input: JSON.stringify({ containerOverrides: [eventBridgeContainerOverrides(containerOverride)] }),
          }),
      deadLetterConfig: { arn: deadLetters.queueArn },
      retryPolicy: {
        maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 3600,
        maximumRetryAttempts: props.maximumRetryAttempts ?? 3,
      },
    });

    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.eventsRoleArn = eventsRole.arn;
    this.deadLetterQueueArn = deadLetters.queueArn;
    this.deadLetterQueueUrl = deadLetters.queueUrl;
    this.deadLetterQueueName = deadLetters.queueName;
    this.stateMachineArn = stateMachine?.stateMachineArn;

    // A task that exits non-zero or never starts is invisible to the dead-letter queue, which only
    // sees launches EventBridge could not make. Retried jobs have the state machine's alarm.
    if (stateMachine) {
      this.failureAlarmArn = stateMachine.alarmArn;
    } else {
      const signal = props.failureSignal as ScheduledTaskFailureSignal;
      const failures = new JobFailureAlarm(this, "failed-runs", {
        jobName: props.jobName,
        clusterArn: props.clusterArn,
        taskGroup: this.taskGroup,
        ruleName: signal.ruleName,
        queueName: signal.queueName,
        alarmName: signal.alarmName,
        alarmActions: props.alarmActions,
      });
      this.failureQueueUrl = failures.queueUrl;
      this.failureRuleName = failures.ruleName;
      this.failureAlarmArn = failures.alarmArn;
    }
  }
}

/** Mistakes Terraform would only report at apply time, if at all. */
function checkProps(props: ScheduledTaskProps): void {
  const problems: string[] = [];
  if (!isValidScheduleExpression(props.scheduleExpression)) {
    problems.push(`scheduleExpression "${props.scheduleExpression}" is not an EventBridge cron(...) or rate(...) expression`);
  }
  const taskCount = props.taskCount ?? 1;
  if (!Number.isInteger(taskCount) || taskCount < 1 || taskCount > 10) problems.push(`taskCount must be an integer between 1 and 10, got ${taskCount}`);
  if (props.retry && taskCount !== 1) problems.push("taskCount must be 1 when retry is set");
  if (!props.retry && !props.failureSignal) problems.push("a job without retry needs failureSignal: nothing else sees a run that exits non-zero or never starts");
  if (props.capacityProviderStrategy?.length === 0) problems.push("capacityProviderStrategy must not be empty (leave it out for the EC2 launch type)");
  const age = props.maximumEventAgeSeconds ?? 3600;
  if (!Number.isInteger(age) || age < 60 || age > 86400) problems.push(`maximumEventAgeSeconds must be between 60 and 86400, got ${age}`);
  const attempts = props.maximumRetryAttempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > 185) problems.push(`maximumRetryAttempts must be between 0 and 185, got ${attempts}`);
  if (problems.length > 0) throw new Error(`scheduled job "${props.jobName}": ${problems.join("; ")}`);
}
