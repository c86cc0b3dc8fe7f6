/**
 * The pieces of an ECS RunTask request shared by everything that starts tasks on a schedule
 * (EventBridge ECS targets and Step Functions `ecs:runTask.sync` states): placement, container
 * overrides and the least-privilege IAM statements a caller of RunTask needs.
 */

/** One entry of a capacity provider strategy, as the compute layer hands it out. */
export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  readonly weight: number;
  /** @default 0 */
  readonly base?: number;
}

/** What a run changes in its container: the command and extra environment variables. */
export interface ContainerOverride {
  /** Name of the container in the task definition. */
  readonly containerName: string;
  /** Replaces the image's command; empty keeps it. */
  readonly command: readonly string[];
  /** Added to (or replacing) the task definition's environment. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Spread over AZs first so an AZ's Spot reclaim does not take every run, then pack by memory to leave room for services. */
export const PLACEMENT_STRATEGY: ReadonlyArray<{ readonly type: string; readonly field: string }> = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
  { type: "binpack", field: "memory" },
];

/** `containerOverrides` in the camelCase of the ECS API, as EventBridge expects it in a target's input. */
export function eventBridgeContainerOverrides(override: ContainerOverride): Record<string, unknown> {
  const environment = Object.entries(override.environment).map(([name, value]) => ({ name, value }));
  return {
    name: override.containerName,
    ...(override.command.length > 0 ? { command: [...override.command] } : {}),
    ...(environment.length > 0 ? { environment } : {}),
  };
}

/** The same override in the PascalCase Step Functions uses for service integration parameters. */
export function stepFunctionsContainerOverrides(override: ContainerOverride): Record<string, unknown> {
  const environment = Object.entries(override.environment).map(([name, value]) => ({ Name: name, Value: value }));
  return {
    Name: override.containerName,
    ...(override.command.length > 0 ? { Command: [...override.command] } : {}),
    ...(environment.length > 0 ? { Environment: environment } : {}),
  };
}

/** What a principal may start, and where. */
export interface RunTaskScope {
  readonly clusterArn: string;
  /** Task definition family ARN without a revision. */
  readonly taskDefinitionArn: string;
  /** ARN pattern of the cluster's tasks, `arn:aws:ecs:<region>:<account>:task/<cluster>/*`. */
  readonly taskArns: string;
  /** The task and execution roles of the task definition. */
  readonly passRoleArns: readonly string[];
}

/**
 * IAM statements to run exactly one task definition family (any revision, so CI deploys of new
 * revisions need no IAM change) on exactly one cluster, tag the tasks it starts, and hand the
 * task its own roles and no others.
 */
export function runTaskStatements(scope: RunTaskScope): Array<Record<string, unknown>> {
  return [
    {
      Sid: "RunTaskOnCluster",
      Effect: "Allow",
      Action: "ecs:RunTask",
      Resource: [scope.taskDefinitionArn, `${scope.taskDefinitionArn}:*`],
      Condition: { ArnEquals: { "ecs:cluster": scope.clusterArn } },
    },
    {
      // Tag-on-create: propagated and ECS-managed tags make RunTask a tagging call too.
      Sid: "TagStartedTasks",
      Effect: "Allow",
      Action: "ecs:TagResource",
      Resource: scope.taskArns,
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    },
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: [...scope.passRoleArns],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
  ];
}
