import { Construct } from "constructs";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { CI_OIDC_ISSUERS } from "./ci-oidc-issuers";
import { releaseFamilies } from "./platform-names";

export { CI_OIDC_ISSUERS };

export interface DeployRoleProps {
  readonly roleName: string;
  readonly provider: keyof typeof CI_OIDC_ISSUERS;
  /** Token subjects allowed to assume the role (`StringLike`, so `*` works), e.g. `repo:acme/api:environment:production`. */
  readonly subjects: string[];
  /**
   * An existing IAM OIDC provider for the issuer (an account holds one per issuer URL).
   * @default - the account's provider for the issuer URL, looked up (or created, see `createOidcProvider`)
   */
  readonly oidcProviderArn?: string;
  /**
   * Create the account's OIDC provider for the issuer instead of looking it up. The provider is
   * account-wide: create it in one stack only, where nothing else federates with the issuer yet.
   * It is protected from `destroy`, since other roles in the account trust it.
   * @default false - looked up by its URL (`data.aws_iam_openid_connect_provider`)
   */
  readonly createOidcProvider?: boolean;
  /** Partition, region and account of the stack, for the ARNs the role is scoped to. */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Services the deploy may describe and update. */
  readonly serviceArns: string[];
  /** The names of those services, in the same order: their deployments and revisions are named after them. */
  readonly serviceNames: string[];
  /**
   * Released task definition families (services' and jobs' with their own image): the deploy registers and runs
   * revisions of them and of their one-off families (`releaseFamilies`).
   */
  readonly taskDefinitionFamilies: string[];
  /** Task and execution roles of those families, which a new revision or a one-off task passes to ECS. */
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
 * Nothing else, and no long-lived keys. What it allows is exactly what `npm run release` calls
 * (proven by IAM simulation in `__tests__/release/`).
 */
export class DeployRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly oidcProviderArn: string;

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const issuer = CI_OIDC_ISSUERS[props.provider];
    if (props.oidcProviderArn !== undefined && props.createOidcProvider) {
      throw new Error(`deploy role ${props.roleName}: set either oidcProviderArn or createOidcProvider, not both`);
    }
    this.oidcProviderArn = props.oidcProviderArn ?? this.oidcProvider(`https://${issuer.host}`, issuer.audience, props.createOidcProvider ?? false);

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

  /**
   * The account's provider for the issuer: looked up by URL, so that no environment owns (and
   * `destroy` deletes) what every other role federating with the issuer depends on; created only
   * on request, and then protected from destroy.
   */
  private oidcProvider(url: string, audience: string, create: boolean): string {
    if (!create) return new DataAwsIamOpenidConnectProvider(this, "oidc-provider", { url }).arn;
    return new IamOpenidConnectProvider(this, "oidc-provider", { url, clientIdList: [audience], lifecycle: { preventDestroy: true } }).arn;
  }
}

function deployStatements(props: DeployRoleProps): DataAwsIamPolicyDocumentStatement[] {
  const ecs = `arn:${props.partition}:ecs:${props.region}:${props.accountId}`;
  const inCluster = [{ test: "ArnEquals", variable: "ecs:cluster", values: [props.clusterArn] }];
  const familyRevisions = props.taskDefinitionFamilies
    .flatMap((family) => [releaseFamilies(family).release, releaseFamilies(family).oneOff])
    .map((family) => `${ecs}:task-definition/${family}:*`);
  const clusterTasks = `${ecs}:task/${props.clusterName}/*`;
  // The service deployments and service revisions of the services: service-deployment|service-revision/<cluster>/<service>/<id>.
  const serviceChildren = (kind: string) => props.serviceNames.map((name) => `${ecs}:${kind}/${props.clusterName}/${name}/*`);
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: "UpdateServices",
      effect: "Allow",
      actions: ["ecs:DescribeServices", "ecs:UpdateService", "ecs:ListServiceDeployments"],
      resources: props.serviceArns,
    },
    {
      // Following a deployment through its stages, stopping one (rollback), and the deployment history a rollback reads.
      sid: "FollowDeployments",
      effect: "Allow",
      actions: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment", "ecs:DescribeServiceRevisions"],
      resources: [...props.serviceArns, ...serviceChildren("service-deployment"), ...serviceChildren("service-revision")],
    },
    {
      // None of these supports resource-level permissions. Deregistering retires the revisions of failed deploys and
      // one-off tasks, so that nothing starts them afterwards.
      sid: "ReadTaskDefinitions",
      effect: "Allow",
      actions: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"],
      resources: ["*"],
    },
    {
      sid: "RegisterTaskDefinitions",
      effect: "Allow",
      actions: ["ecs:RegisterTaskDefinition"],
      resources: familyRevisions,
    },
    {
      // Tag-on-create authorization: a revision registered with its tags, and a task run with tags
      // propagated from its task definition, are also authorized as ecs:TagResource.
      sid: "TagOnCreate",
      effect: "Allow",
      actions: ["ecs:TagResource"],
      resources: [...familyRevisions, clusterTasks],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition", "RunTask"] }],
    },
    {
      sid: "RunTasks",
      effect: "Allow",
      actions: ["ecs:RunTask"],
      resources: familyRevisions,
      condition: inCluster,
    },
    {
      // StopTask: a one-off task that outlives its timeout is stopped, not left running.
      sid: "WatchTasks",
      effect: "Allow",
      actions: ["ecs:DescribeTasks", "ecs:StopTask"],
      resources: [clusterTasks],
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
