import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]` */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;

export interface JobTaskDefinitionProps {
  /** Task definition family; also names the task's log streams. */
  readonly family: string;
  readonly containerName: string;
  readonly image: string;
  /** CPU units (1024 = one vCPU). */
  readonly cpu: number;
  /** Hard memory limit (MiB). */
  readonly memory: number;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  /** Partition, region and account of the stack (log driver region, trust conditions). */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The task definition of a scheduled job that brings its own image: EC2 launch type, bridge
 * networking, one essential container logging to its own log group, an execution role that may
 * only write that log group and pull that image, and an empty task role the job's own
 * permissions can be attached to.
 */
export class JobTaskDefinition extends Construct {
  public readonly taskDefinitionArn: string;
  public readonly taskDefinitionFamily: string;
  public readonly containerName: string;
  public readonly taskRoleArn: string;
  public readonly executionRoleArn: string;
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: JobTaskDefinitionProps) {
    super(scope, id);
    const { partition, region, accountId } = props;

    const logGroup = new CloudwatchLogGroup(this, "logs", { name: props.logGroupName, retentionInDays: props.logRetentionDays });

    const trust = (conditions?: Record<string, unknown>): string =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            ...(conditions ? { Condition: conditions } : {}),
          },
        ],
      });

    const executionRole = new IamRole(this, "execution-role", {
      name: props.executionRoleName,
      description: `Pulls the image and writes the logs of ${props.family}`,
      assumeRolePolicy: trust(),
    });

    new IamRolePolicy(this, "execution-policy", {
      role: executionRole.name,
      name: "pull-and-log",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          ...pullStatements(props.image, partition),
          {
            Sid: "WriteLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroup.arn}:*`,
          },
        ],
      }),
    });

    const taskRole = new IamRole(this, "task-role", {
      name: props.taskRoleName,
      description: `Identity of the ${props.family} job's containers`,
      // Only ECS tasks of this account may assume it (confused-deputy protection).
      assumeRolePolicy: trust({
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${accountId}:*` },
      }),
    });

    const taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: props.family,
      requiresCompatibilities: ["EC2"],
      networkMode: "bridge",
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: JSON.stringify([
        {
          name: props.containerName,
          image: props.image,
          essential: true,
          cpu: props.cpu,
          memory: props.memory,
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": "job" },
          },
        },
      ]),
    });

    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionFamily = taskDefinition.family;
    this.containerName = props.containerName;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
  }
}

/** Pull permissions for a private ECR image, scoped to its repository; other registries need none. */
function pullStatements(image: string, partition: string): Array<Record<string, unknown>> {
  const ecr = ECR_IMAGE.exec(image);
  if (!ecr) return [];
  const [, account, region, repository] = ecr;
  return [
    // GetAuthorizationToken has no resource-level permissions.
    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullImage",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: `arn:${partition}:ecr:${region}:${account}:repository/${repository}`,
    },
  ];
}
