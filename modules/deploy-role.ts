import { Construct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

/** The identity providers CI can federate from: issuer host and the audience its tokens carry. */
export const CI_OIDC_ISSUERS = {
  github: { host: "token.actions.githubusercontent.com", audience: "sts.amazonaws.com" },
  gitlab: { host: "gitlab.com", audience: "https://gitlab.com" },
} as const;

export interface DeployRoleProps {
  readonly roleName: string;
  readonly provider: keyof typeof CI_OIDC_ISSUERS;
  /** Token subjects allowed to assume the role (`StringLike`, so `*` works), e.g. `repo:acme/api:environment:production`. */
  readonly subjects: string[];
  /**
   * An existing IAM OIDC provider for the issuer (an account holds one per issuer URL).
   * @default - one is created
   */
  readonly oidcProviderArn?: string;
  /** Partition, region and account of the stack, for the ARNs the role is scoped to. */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Services the deploy may describe and update. */
  readonly serviceArns: string[];
  /** Task definition families the deploy may run tasks from (e.g. migrations). */
  readonly taskDefinitionFamilies: string[];
  /** Task and execution roles a new task definition may reference. */
  readonly passRoleArns: string[];
  /**
   * ECR repositories (names, in this account and region) the deploy may push to.
   * @default - no push access
   */
  readonly ecrRepositories?: string[];
}

/**
 * The role a CI pipeline assumes through OIDC to deploy this environment: register a task
 * definition, point this environment's services at it, run one-off tasks, push images.
 * Nothing else, and no long-lived keys.
 */
export class DeployRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly oidcProviderArn: string;

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const issuer = CI_OIDC_ISSUERS[props.provider];
    this.oidcProviderArn =
      props.oidcProviderArn ??
      new IamOpenidConnectProvider(this, "oidc-provider", { url: `https://${issuer.host}`, clientIdList: [issuer.audience] }).arn;

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [this.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${issuer.host}:aud`, values: [issuer.audience] },
            { test: "StringLike", variable: `${issuer.host}:sub`, values: props.subjects },
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: `CI deploys (${props.provider} OIDC) to cluster ${props.clusterName}`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    this.roleArn = role.arn;
    this.roleName = role.name;

    new IamRolePolicy(this, "policy", {
      role: role.id,
      name: "deploy",
      policy: new DataAwsIamPolicyDocument(this, "policy-document", { statement: deployStatements(props) }).json,
    });
  }
}

function deployStatements(props: DeployRoleProps): DataAwsIamPolicyDocumentStatement[] {
  const ecs = `arn:${props.partition}:ecs:${props.region}:${props.accountId}`;
  const inCluster = [{ test: "ArnEquals", variable: "ecs:cluster", values: [props.clusterArn] }];
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: "UpdateServices",
      effect: "Allow",
      actions: ["ecs:DescribeServices", "ecs:UpdateService"],
      resources: props.serviceArns,
    },
    {
      // Neither action supports resource-level permissions.
      sid: "TaskDefinitions",
      effect: "Allow",
      actions: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
      resources: ["*"],
    },
    {
      sid: "RunTasks",
      effect: "Allow",
      actions: ["ecs:RunTask"],
      resources: props.taskDefinitionFamilies.map((family) => `${ecs}:task-definition/${family}:*`),
      condition: inCluster,
    },
    {
      sid: "WatchTasks",
      effect: "Allow",
      actions: ["ecs:DescribeTasks"],
      resources: [`${ecs}:task/${props.clusterName}/*`],
      condition: inCluster,
    },
    {
      sid: "PassTaskRoles",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: props.passRoleArns,
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    },
  ];
  const repositories = props.ecrRepositories ?? [];
  if (repositories.length > 0) {
    statements.push(
      // GetAuthorizationToken has no resource-level permissions.
      { sid: "EcrLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      {
        sid: "PushImages",
        effect: "Allow",
        actions: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:DescribeImages",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ],
        resources: repositories.map((name) => `arn:${props.partition}:ecr:${props.region}:${props.accountId}:repository/${name}`),
      },
    );
  }
  return statements;
}
