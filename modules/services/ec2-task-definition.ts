import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { releaseFamilies } from "./platform-names";

/** The container's docker HEALTHCHECK. */
export interface ContainerHealthCheck {
  /** e.g. `["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]`. */
  readonly command: string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

/** The task's one essential container. */
export interface ContainerSpec {
  /** Container name, what overrides and load balancers refer to. */
  readonly name: string;
  readonly image: string;
  /** CPU units (1024 = one vCPU). */
  readonly cpu: number;
  /** Hard memory limit (MiB). */
  readonly memory: number;
  /**
   * Soft memory limit (MiB), what placement reserves.
   * @default - none: placement reserves the hard limit
   */
  readonly memoryReservation?: number;
  /**
   * Ports the container listens on, each published on a dynamic host port.
   * @default - no `portMappings` key
   */
  readonly containerPorts?: number[];
  /** @default - no `environment` key */
  readonly environment?: Record<string, string>;
  /**
   * Variable name to SSM parameter or Secrets Manager ARN; only the execution role can read them.
   * @default - no `secrets` key
   */
  readonly secrets?: Record<string, string>;
  /**
   * Secrets Manager secret with credentials for a private registry.
   * @default - none
   */
  readonly repositoryCredentialsSecretArn?: string;
  /** @default - none */
  readonly healthCheck?: ContainerHealthCheck;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default - the ECS agent's default
   */
  readonly stopTimeoutSeconds?: number;
  /** Prefix of the container's log streams in the log group. */
  readonly logStreamPrefix: string;
  /**
   * Buffer log lines (25 MiB) instead of blocking the container's stdout when the log pipeline is slow.
   * @default false - the account's default log driver mode
   */
  readonly nonBlockingLogs?: boolean;
  /**
   * Mount the root filesystem read-only; `writablePaths` stay writable.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Absolute directories the container may write to, each an empty scratch volume of the task that
   * lives as long as the task (e.g. `/tmp`).
   * @default - none
   */
  readonly writablePaths?: readonly string[];
  /**
   * User (and group) the container runs as, e.g. `1000` or `app:app`.
   * @default - the image's user
   */
  readonly user?: string;
}

/** Linux capabilities every container loses: raw sockets allow spoofing packets on the instance's bridge network. */
export const DROPPED_CAPABILITIES = ["NET_RAW"] as const;

/** One statement of the task role's inline policy. */
export interface TaskRoleStatement {
  /** @default - none */
  readonly sid?: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions: string[];
  readonly resources: string[];
  /** @default - none */
  readonly conditions?: ReadonlyArray<{ readonly test: string; readonly variable: string; readonly values: string[] }>;
}

/** The application's own AWS permissions. */
export interface TaskRolePermissions {
  /**
   * Inline statements, the least-privilege way (e.g. `cloudwatch:PutMetricData` with a `cloudwatch:namespace` condition).
   * @default - none
   */
  readonly statements?: TaskRoleStatement[];
  /**
   * Managed policies (AWS or customer managed) attached to the task role.
   * @default - none
   */
  readonly managedPolicyArns?: string[];
}

export interface Ec2TaskDefinitionProps {
  /** Task definition family. */
  readonly family: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  /**
   * What the application may do with AWS.
   * @default - nothing: an empty task role
   */
  readonly taskRolePermissions?: TaskRolePermissions;
  readonly container: ContainerSpec;
  /**
   * ECR repositories (ARNs) releases may ship this container's image from, besides the configured image's own:
   * the execution role may pull from them too, so the first release from one does not fail with CannotPullContainerError.
   * @default []
   */
  readonly releaseRepositoryArns?: readonly string[];
  /** Region of the stack: the log driver's region and the task role's trust condition. */
  readonly region: string;
  readonly accountId: string;
  /**
   * Partition of the stack, for the task role's trust condition.
   * @default - the partition `region` belongs to
   */
  readonly partition?: string;
  /**
   * `bridge`: container ports published on dynamic host ports of the instance. `awsvpc`: the task gets its own
   * network interface and the container ports are its own (what ip target groups and traffic shifting need).
   * @default "bridge"
   */
  readonly networkMode?: "bridge" | "awsvpc";
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";

/**
 * A task definition for the EC2 launch type with bridge networking and one essential container
 * logging to its own expiring log group; an execution role that may only write that group, pull
 * that image and read that container's secrets; and a task role with the application's own permissions
 * (`taskRolePermissions`), empty unless they are given. Two families (see `releaseFamilies`): Terraform keeps
 * the config family current and registers the released family once; `npm run release` owns the released family after that.
 */
export class Ec2TaskDefinition extends Construct {
  public readonly taskDefinitionArn: string;
  /** A reference to the registered family, so consumers are created after the task definition. */
  public readonly taskDefinitionFamily: string;
  /** The family of Terraform's revisions of the configuration (`releaseFamilies`), what releases are built from. */
  public readonly configFamily: string;
  public readonly containerName: string;
  public readonly taskRoleArn: string;
  public readonly executionRoleArn: string;
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: Ec2TaskDefinitionProps) {
    super(scope, id);
    const { container } = props;

    const logGroup = new CloudwatchLogGroup(this, "logs", { name: props.logGroupName, retentionInDays: props.logRetentionDays });

    const executionRole = new IamRole(this, "execution-role", {
      name: props.executionRoleName,
      description: `ECS agent for ${container.name}: pull the image, read its secrets, write its logs`,
      assumeRolePolicy: this.ecsTasksTrust("execution-trust", props),
    });
    new IamRolePolicy(this, "execution-policy", {
      role: executionRole.name,
      name: "task-execution",
      policy: new DataAwsIamPolicyDocument(this, "execution-policy-document", {
        statement: executionStatements(container, logGroup.arn, props.releaseRepositoryArns ?? []),
      }).json,
    });

    const taskRole = new IamRole(this, "task-role", {
      name: props.taskRoleName,
      description: `Application permissions of ${container.name}`,
      assumeRolePolicy: this.ecsTasksTrust("task-trust", props),
    });
    const permissions = props.taskRolePermissions ?? {};
    if ((permissions.statements ?? []).length > 0) {
      new IamRolePolicy(this, "task-policy", {
        role: taskRole.name,
        name: "application",
        policy: new DataAwsIamPolicyDocument(this, "task-policy-document", {
          statement: (permissions.statements ?? []).map((statement) => ({
            ...(statement.sid !== undefined && { sid: statement.sid }),
            effect: statement.effect ?? "Allow",
            actions: statement.actions,
            resources: statement.resources,
            ...(statement.conditions !== undefined && statement.conditions.length > 0 && {
              condition: statement.conditions.map((c) => ({ test: c.test, variable: c.variable, values: c.values })),
            }),
          })),
        }).json,
      });
    }
    (permissions.managedPolicyArns ?? []).forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `task-managed-policy-${index}`, { role: taskRole.name, policyArn });
    });

    const definition = {
      requiresCompatibilities: ["EC2"],
      networkMode: props.networkMode ?? "bridge",
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: JSON.stringify([containerDefinition(container, props.logGroupName, props.region, props.networkMode ?? "bridge")]),
      // Docker-managed scratch space on the instance, removed with the task.
      volume: container.writablePaths?.length ? scratchVolumes(container).map((volume) => ({ name: volume.name })) : undefined,
      // The awslogs driver refuses to start a container whose log group does not exist yet.
      dependsOn: [logGroup],
    };
    const families = releaseFamilies(props.family);
    // The configuration as the environment config defines it: every apply with a change registers a revision, which
    // the next release combines with its image (releases own the running revision, see release/).
    const configRevision = new EcsTaskDefinition(this, "config-task-definition", {
      family: families.config,
      ...definition,
      // A release started during the apply always finds an ACTIVE revision.
      lifecycle: { createBeforeDestroy: true },
    });
    // The first release: what the service is created with and jobs run until `npm run release` registers the next
    // one. Terraform never changes it: a revision registered here by Terraform would be what jobs start.
    const taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: families.release,
      ...definition,
      lifecycle: { ignoreChanges: "all" },
    });

    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionFamily = taskDefinition.family;
    this.configFamily = configRevision.family;
    this.containerName = container.name;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
  }

  /** Trust for ECS tasks of this account only (confused-deputy protection). */
  private ecsTasksTrust(id: string, props: Ec2TaskDefinitionProps): string {
    const partition = props.partition ?? partitionOf(props.region);
    return new DataAwsIamPolicyDocument(this, id, {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [ECS_TASKS] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:ecs:${props.region}:${props.accountId}:*`] },
          ],
        },
      ],
    }).json;
  }
}

/** What the ECS agent needs for this one container (its image, its releases' images), and nothing for any other. */
function executionStatements(container: ContainerSpec, logGroupArn: string, releaseRepositoryArns: readonly string[]): DataAwsIamPolicyDocumentStatement[] {
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: "WriteLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroupArn}:log-stream:*`] },
  ];
  const configured = ecrRepositoryArn(container.image);
  const repositories = unique([...(configured === undefined ? [] : [configured]), ...releaseRepositoryArns]);
  if (repositories.length > 0) {
    // GetAuthorizationToken has no resource-level permissions.
    statements.push({ sid: "EcrLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
    statements.push({
      sid: "PullImage",
      effect: "Allow",
      actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      resources: repositories,
    });
  }
  const secretArns = Object.values(container.secrets ?? {});
  const parameters = unique(secretArns.filter((arn) => arn.split(":")[2] === "ssm"));
  const secrets = unique([
    ...secretArns.filter((arn) => arn.split(":")[2] === "secretsmanager"),
    ...(container.repositoryCredentialsSecretArn ? [container.repositoryCredentialsSecretArn] : []),
  ].flatMap(secretResourceArns));
  if (parameters.length > 0) statements.push({ sid: "ReadParameters", effect: "Allow", actions: ["ssm:GetParameters"], resources: parameters });
  if (secrets.length > 0) statements.push({ sid: "ReadSecrets", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: secrets });
  return statements;
}

function containerDefinition(container: ContainerSpec, logGroupName: string, region: string, networkMode: "bridge" | "awsvpc"): Record<string, unknown> {
  const health = container.healthCheck;
  return {
    name: container.name,
    image: container.image,
    essential: true,
    cpu: container.cpu,
    memory: container.memory,
    ...(container.memoryReservation !== undefined && { memoryReservation: container.memoryReservation }),
    ...(container.containerPorts && {
      // awsvpc: the task's own interface listens on the container port itself.
      portMappings: container.containerPorts.map((containerPort) =>
        networkMode === "bridge" ? { containerPort, hostPort: 0, protocol: "tcp" } : { containerPort, protocol: "tcp" },
      ),
    }),
    ...(container.environment && { environment: sortedEntries(container.environment).map(([name, value]) => ({ name, value })) }),
    ...(container.secrets && { secrets: sortedEntries(container.secrets).map(([name, valueFrom]) => ({ name, valueFrom })) }),
    ...(health && {
      healthCheck: {
        command: health.command,
        interval: health.intervalSeconds,
        timeout: health.timeoutSeconds,
        retries: health.retries,
        startPeriod: health.startPeriodSeconds,
      },
    }),
    ...(container.repositoryCredentialsSecretArn && { repositoryCredentials: { credentialsParameter: container.repositoryCredentialsSecretArn } }),
    ...(container.stopTimeoutSeconds !== undefined && { stopTimeout: container.stopTimeoutSeconds }),
    ...(container.user !== undefined && { user: container.user }),
    readonlyRootFilesystem: container.readonlyRootFilesystem ?? false,
    ...(container.writablePaths?.length && {
      mountPoints: scratchVolumes(container).map((volume) => ({ sourceVolume: volume.name, containerPath: volume.path, readOnly: false })),
    }),
    // An init process reaps zombies and forwards SIGTERM, so a Spot drain stops the application cleanly.
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: [...DROPPED_CAPABILITIES] } },
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": logGroupName,
        "awslogs-region": region,
        "awslogs-stream-prefix": container.logStreamPrefix,
        ...(container.nonBlockingLogs && { mode: "non-blocking", "max-buffer-size": "25m" }),
      },
    },
  };
}

/** The task's scratch volumes, one per writable path of the container. */
function scratchVolumes(container: ContainerSpec): Array<{ name: string; path: string }> {
  return (container.writablePaths ?? []).map((path, index) => ({ name: `scratch-${index}`, path }));
}

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:tag` → the repository's ARN; other registries → undefined. */
export function ecrRepositoryArn(image: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  if (!match) return undefined;
  const [, account, region, repository] = match;
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${repository}`;
}

/** A Secrets Manager reference may carry `:json-key:version-stage:version-id`; IAM wants the secret's own ARN. */
/**
 * The IAM resources for a secret referenced as `valueFrom`: without any `:json-key:stage:version`
 * suffix, and also with `-??????`, because a secret may be named by its partial ARN (no random
 * suffix), which IAM only matches with that wildcard.
 */
function secretResourceArns(arn: string): string[] {
  const base = arn.split(":").slice(0, 7).join(":");
  return [base, `${base}-??????`];
}

function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function sortedEntries(values: Record<string, string>): Array<[string, string]> {
  return Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
