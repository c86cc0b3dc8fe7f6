import { describe, expect, test } from "vitest";
import { CI_OIDC_ISSUERS, DeployRole, type DeployRoleProps } from "../../../modules/services/deploy-role";
import { statementsOf } from "../../support/references";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const props: DeployRoleProps = {
  roleName: "acme-api-deploy-test",
  provider: "github",
  subjects: ["repo:acme/acme-api:environment:test"],
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  clusterName: "acme-api-test",
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/acme-api-test",
  serviceArns: ["arn:aws:ecs:eu-west-1:123456789012:service/acme-api-test/api", "arn:aws:ecs:eu-west-1:123456789012:service/acme-api-test/admin"],
  serviceNames: ["api", "admin"],
  taskDefinitionFamilies: ["acme-api-api-test", "acme-api-admin-test"],
  passRoleArns: ["arn:aws:iam::123456789012:role/api-task", "arn:aws:iam::123456789012:role/api-execution"],
  ecrRepositories: ["acme-api"],
};

const synth = (overrides: Partial<DeployRoleProps> = {}): Synthesized => synthConstructs((scope) => new DeployRole(scope, "deploy", { ...props, ...overrides }));
const trustOf = (json: Synthesized) => Object.values(statementsOf(json, soleResource(json, "aws_iam_role").assume_role_policy))[0];
const permissionsOf = (json: Synthesized) => statementsOf(json, soleResource(json, "aws_iam_role_policy").policy);

describe("DeployRole", () => {
  test.each([
    ["github", "token.actions.githubusercontent.com"],
    ["gitlab", "gitlab.com"],
  ] as const)("%s: looks up the account's OIDC provider by URL and trusts only its tokens for the listed subjects", (provider, host) => {
    // GIVEN / WHEN
    const json = synth({ provider });

    // THEN nothing account-wide is created: the provider is a data source
    expect(resourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(dataSourcesOfType(json, "aws_iam_openid_connect_provider")).toEqual([expect.objectContaining({ url: `https://${host}` })]);
    const audience = CI_OIDC_ISSUERS[provider].audience;
    expect(trustOf(json)).toMatchObject({
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [expect.stringMatching(/^\$\{data\.aws_iam_openid_connect_provider\./)] }],
      condition: [
        { test: "StringEquals", variable: `${host}:aud`, values: [audience] },
        { test: "StringLike", variable: `${host}:sub`, values: ["repo:acme/acme-api:environment:test"] },
      ],
    });
  });

  test("creates the OIDC provider only when asked, protected from destroy", () => {
    // GIVEN / WHEN
    const json = synth({ createOidcProvider: true });

    // THEN
    expect(soleResource(json, "aws_iam_openid_connect_provider")).toEqual({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
      lifecycle: { prevent_destroy: true },
    });
    expect(dataSourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(trustOf(json).principals[0].identifiers).toEqual([expect.stringMatching(/^\$\{aws_iam_openid_connect_provider\./)]);
  });

  test("refuses both an existing provider ARN and creating one", () => {
    expect(() => synth({ createOidcProvider: true, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" })).toThrow(
      "set either oidcProviderArn or createOidcProvider, not both",
    );
  });

  test("reuses an existing OIDC provider", () => {
    const json = synth({ oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" });
    expect(resourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(dataSourcesOfType(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
    expect(trustOf(json).principals[0].identifiers).toEqual(["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]);
  });

  test("allows exactly what a deploy needs, scoped to this environment", () => {
    // GIVEN / WHEN
    const statements = permissionsOf(synth());

    // THEN
    expect(Object.keys(statements).sort()).toEqual([
      "EcrLogin",
      "FollowDeployments",
      "PassTaskRoles",
      "PushImages",
      "ReadTaskDefinitions",
      "RegisterTaskDefinitions",
      "RunTasks",
      "TagOnCreate",
      "UpdateServices",
      "WatchTasks",
    ]);
    expect(statements.UpdateServices).toMatchObject({ actions: ["ecs:DescribeServices", "ecs:UpdateService", "ecs:ListServiceDeployments"], resources: props.serviceArns });
    expect(statements.FollowDeployments).toMatchObject({
      actions: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment", "ecs:DescribeServiceRevisions"],
      resources: [
        ...props.serviceArns,
        "arn:aws:ecs:eu-west-1:123456789012:service-deployment/acme-api-test/api/*",
        "arn:aws:ecs:eu-west-1:123456789012:service-deployment/acme-api-test/admin/*",
        "arn:aws:ecs:eu-west-1:123456789012:service-revision/acme-api-test/api/*",
        "arn:aws:ecs:eu-west-1:123456789012:service-revision/acme-api-test/admin/*",
      ],
    });
    expect(statements.ReadTaskDefinitions).toMatchObject({ actions: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"], resources: ["*"] });
    // the released families and their one-off families (release run --image), never the config families Terraform owns
    const families = [
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-api-test:*",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-api-test_run:*",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-admin-test:*",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-api-admin-test_run:*",
    ];
    expect(statements.RegisterTaskDefinitions).toMatchObject({ actions: ["ecs:RegisterTaskDefinition"], resources: families });
    expect(statements.TagOnCreate).toMatchObject({
      actions: ["ecs:TagResource"],
      resources: [...families, "arn:aws:ecs:eu-west-1:123456789012:task/acme-api-test/*"],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition", "RunTask"] }],
    });
    const inCluster = [{ test: "ArnEquals", variable: "ecs:cluster", values: [props.clusterArn] }];
    expect(statements.RunTasks).toMatchObject({
      actions: ["ecs:RunTask"],
      resources: families,
      condition: inCluster,
    });
    expect(statements.WatchTasks).toMatchObject({ actions: ["ecs:DescribeTasks", "ecs:StopTask"], resources: ["arn:aws:ecs:eu-west-1:123456789012:task/acme-api-test/*"], condition: inCluster });
    expect(statements.PassTaskRoles).toMatchObject({
      actions: ["iam:PassRole"],
      resources: props.passRoleArns,
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    });
    expect(statements.PushImages.resources).toEqual(["arn:aws:ecr:eu-west-1:123456789012:repository/acme-api"]);
    expect(statements.PushImages.actions).toEqual(expect.arrayContaining(["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]));
  });

  test("scopes its ARNs to the stack's partition (IAM refuses arn:aws resources in GovCloud)", () => {
    // GIVEN a deploy role in us-gov-west-1
    const statements = permissionsOf(synth({ partition: "aws-us-gov", region: "us-gov-west-1" }));

    // THEN every ECS and ECR resource it names is in the aws-us-gov partition
    const resources = [statements.RegisterTaskDefinitions, statements.TagOnCreate, statements.RunTasks, statements.WatchTasks, statements.PushImages].flatMap(
      (statement) => statement.resources as string[],
    );
    expect(resources).toHaveLength(15);
    for (const resource of resources) expect(resource).toMatch(/^arn:aws-us-gov:(ecs|ecr):us-gov-west-1:123456789012:/);
  });

  test("has no registry access without repositories", () => {
    const statements = permissionsOf(synth({ ecrRepositories: [] }));
    expect(statements.PushImages).toBeUndefined();
    expect(statements.EcrLogin).toBeUndefined();
  });

  test("never grants a wildcard action", () => {
    const actions = Object.values(permissionsOf(synth())).flatMap((statement) => statement.actions as string[]);
    expect(actions.filter((action) => action.includes("*"))).toEqual([]);
  });
});
