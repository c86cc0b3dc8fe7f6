import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { failureAlarm } from "../platform/failure-alarm";
import {
  PLACEMENT_STRATEGY,
  runTaskStatements,
  stepFunctionsContainerOverrides,
  type CapacityProviderStrategyItem,
  type ContainerOverride,
  type RunTaskScope,
} from "./ecs-run-task";

/** The rule Step Functions creates in the account to learn when a `.sync` ECS task stops. */
const SYNC_EVENTS_RULE = "StepFunctionsGetEventsForECSTaskRule";

export interface RetryingTaskStateMachineProps {
  readonly stateMachineName: string;
  readonly roleName: string;
  /** Under `/aws/vendedlogs/` so log delivery does not grow the account's CloudWatch Logs resource policy. */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /**
   * Execution events logged.
   * @default "ERROR"
   */
  readonly logLevel?: "ALL" | "ERROR" | "FATAL";
  /**
   * Log execution input and output too (they carry the job's command and environment overrides).
   * @default false
   */
  readonly includeExecutionData?: boolean;
  /**
   * X-Ray tracing of executions (the role gets the X-Ray write permissions).
   * @default false
   */
  readonly tracing?: boolean;
  /** Alarm on executions that failed after every retry. */
  readonly alarmName: string;
  /**
   * Notified when an execution fails for good (SNS topic ARNs).
   * @default - none
   */
  readonly alarmActions?: readonly string[];
  /** AWS partition, region and account of the stack, for ARNs the role is scoped to. */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Which task definition family may run where, with which roles. */
  readonly runTask: RunTaskScope;
  readonly containerOverride: ContainerOverride;
  /**
   * Capacity provider strategy of the run.
   * @default - the EC2 launch type (clusters without capacity providers, e.g. Spot Fleet)
   */
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  /** Further attempts after a failed run (1-10). */
  readonly retries: number;
  /**
   * Wait before the first retry; each later wait is `backoffRate` times longer.
   * @default 60
   */
  readonly retryIntervalSeconds?: number;
  /** @default 2 */
  readonly backoffRate?: number;
}

/**
 * A STANDARD state machine with one `ecs:runTask.sync` state that waits for the task to stop and
 * runs it again, with exponential backoff and jitter, when it fails: a task stopped by a Spot
 * interruption, a non-zero exit, or a launch with no capacity. A job run this way may run more
 * than once, so it must be idempotent.
 *
 * The task definition is the family ARN without a revision, so every run uses the latest ACTIVE
 * revision and CI deploys never leave the definition pointing at an old one.
 */
export class RetryingTaskStateMachine extends Construct {
  public readonly stateMachineArn: string;
  public readonly stateMachineName: string;
  public readonly roleArn: string;
  public readonly logGroupName: string;
  public readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: RetryingTaskStateMachineProps) {
    super(scope, id);
    if (!Number.isInteger(props.retries) || props.retries < 1 || props.retries > 10) {
      throw new Error(`state machine ${props.stateMachineName}: retries must be an integer between 1 and 10, got ${props.retries}`);
    }
    const { partition, region, accountId } = props;
    const tracing = props.tracing ?? false;
    const stateMachineArn = `arn:${partition}:states:${region}:${accountId}:stateMachine:${props.stateMachineName}`;

    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
    });

    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Runs the ECS task of ${props.stateMachineName}`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "states.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": stateMachineArn } },
          },
        ],
      }),
    });

    const policy = new IamRolePolicy(this, "policy", {
      role: role.name,
      name: "run-task",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          ...runTaskStatements(props.runTask),
          {
            // .sync polls the task and stops it when the execution is stopped.
            Sid: "WatchAndStopTasks",
            Effect: "Allow",
            Action: ["ecs:DescribeTasks", "ecs:StopTask"],
            Resource: props.runTask.taskArns,
            Condition: { ArnEquals: { "ecs:cluster": props.runTask.clusterArn } },
          },
          {
            Sid: "SyncTaskEvents",
            Effect: "Allow",
            Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resource: `arn:${partition}:events:${region}:${accountId}:rule/${SYNC_EVENTS_RULE}`,
          },
          {
            // Log delivery APIs have no resource-level permissions.
            Sid: "DeliverLogs",
            Effect: "Allow",
            Action: [
              "logs:CreateLogDelivery",
              "logs:GetLogDelivery",
              "logs:UpdateLogDelivery",
              "logs:DeleteLogDelivery",
              "logs:ListLogDeliveries",
              "logs:PutResourcePolicy",
              "logs:DescribeResourcePolicies",
              "logs:DescribeLogGroups",
            ],
            Resource: "*",
          },
          ...(tracing
            ? [
                {
                  // X-Ray has no resource-level permissions.
                  Sid: "WriteTraces",
                  Effect: "Allow",
                  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
                  Resource: "*",
                },
              ]
            : []),
        ],
      }),
    });

    const machine = new SfnStateMachine(this, "state-machine", {
      name: props.stateMachineName,
      type: "STANDARD",
      roleArn: role.arn,
      definition: JSON.stringify(this.definition(props)),
      loggingConfiguration: {
        logDestination: `${logGroup.arn}:*`,
        level: props.logLevel ?? "ERROR",
        // Inputs and outputs carry the job's environment overrides; keep them out of the logs unless asked.
        includeExecutionData: props.includeExecutionData ?? false,
      },
      tracingConfiguration: { enabled: tracing },
      // Creation checks that the role may deliver logs, so the policy must be in place first.
      dependsOn: [policy],
    });

    const alarm = failureAlarm(this, "failed-alarm", {
      alarmName: props.alarmName,
      alarmDescription: `${props.stateMachineName}: the task failed on every attempt (${props.retries} retries)`,
      namespace: "AWS/States",
      metricName: "ExecutionsFailed",
      dimensions: { StateMachineArn: machine.arn },
      statistic: "Sum",
      alarmActions: props.alarmActions ?? [],
    });

    this.stateMachineArn = machine.arn;
    this.stateMachineName = machine.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.alarmArn = alarm.arn;
  }

  private definition(props: RetryingTaskStateMachineProps): Record<string, unknown> {
    const placement = props.capacityProviderStrategy
      ? {
          CapacityProviderStrategy: props.capacityProviderStrategy.map((item) => ({
            CapacityProvider: item.capacityProvider,
            Weight: item.weight,
            Base: item.base ?? 0,
          })),
        }
      : { LaunchType: "EC2" };
    return {
      Comment: `Runs the task and retries it when it fails; the job must be idempotent`,
      StartAt: "RunTask",
      States: {
        RunTask: {
          Type: "Task",
          Resource: `arn:${props.partition}:states:::ecs:runTask.sync`,
          Parameters: {
            Cluster: props.runTask.clusterArn,
            TaskDefinition: props.runTask.taskDefinitionArn,
            ...placement,
            PlacementStrategy: PLACEMENT_STRATEGY.map((strategy) => ({ Type: strategy.type, Field: strategy.field })),
            PropagateTags: "TASK_DEFINITION",
            EnableECSManagedTags: true,
            Overrides: { ContainerOverrides: [stepFunctionsContainerOverrides(props.containerOverride)] },
          },
          Retry: [
            {
              // TaskFailed covers a non-zero exit, a task stopped under it (Spot) and RunTask failures (no capacity).
              ErrorEquals: ["States.TaskFailed"],
              IntervalSeconds: props.retryIntervalSeconds ?? 60,
              BackoffRate: props.backoffRate ?? 2,
              MaxAttempts: props.retries,
              JitterStrategy: "FULL",
            },
          ],
          End: true,
        },
      },
    };
  }
}
