import { describe, expect, test } from "vitest";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { registryWarnings } from "../../stacks/container-registry";
import { configProblems, minimalInput } from "../support/config";
import { ACCOUNT_ID, StackIam } from "../support/iam-simulation";
import { resourcesOfType, synthEnvironment, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

const ciDeploy = { provider: "github" as const, subjects: ["repo:acme/acme-api:environment:test"] };
const withRepositories = (repositories: unknown[], extra: Partial<EnvironmentInput> = {}): EnvironmentInput =>
  ({ ...minimalInput(), ciDeploy, ecr: { repositories }, ...extra }) as EnvironmentInput;

describe("ECR repositories (ecr.repositories)", () => {
  test("GIVEN a repository WHEN synthesized THEN its tags are immutable, pushes are scanned, images are encrypted and expire by a lifecycle rule, and Terraform may not delete it", () => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(withRepositories([{ name: "acme/api", keepImages: 30, untaggedExpiryDays: 3 }]));

    // THEN
    expect(resourcesOfType(json, "aws_ecr_repository")).toEqual([
      expect.objectContaining({
        name: "acme/api",
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "KMS" }],
        force_delete: false,
      }),
    ]);
    // stateful (modules/platform/resource-types.ts): a plan that would destroy it is refused
    expect(resourcesOfType(json, "aws_ecr_repository")[0].lifecycle).toEqual({ prevent_destroy: true });
    const [lifecycle] = resourcesOfType(json, "aws_ecr_lifecycle_policy");
    expect(lifecycle.repository).toMatch(/^\$\{aws_ecr_repository\.[\w-]+\.name\}$/);
    expect(JSON.parse(lifecycle.policy).rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 }, action: { type: "expire" } }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 }, action: { type: "expire" } }),
    ]);
    expect(json.output?.ecr_repository_urls.value).toEqual({ "acme/api": expect.stringMatching(/^\$\{aws_ecr_repository\.[\w-]+\.repository_url\}$/) });
  });

  test("GIVEN created and existing repositories WHEN the deploy role is simulated THEN it may push to both and to nothing else", async () => {
    // GIVEN
    const input = withRepositories([{ name: "acme/api" }], { ciDeploy: { ...ciDeploy, ecrRepositories: ["shared/base"] } });
    const iam = StackIam.fromSynth(synthEnvironment(input).json);
    const role = iam.role("acme-api-deploy-test");
    const repository = (name: string, account = ACCOUNT_ID) => `arn:aws:ecr:eu-west-1:${account}:repository/${name}`;

    // WHEN / THEN every call `docker push` makes is allowed on each repository
    const push = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"];
    expect(await role.decide({ action: "ecr:GetAuthorizationToken", resource: "*" })).toBe("Allowed");
    for (const name of ["acme/api", "shared/base"]) {
      for (const action of push) expect(await role.decide({ action, resource: repository(name) }), `${action} on ${name}`).toBe("Allowed");
    }
    // and nothing outside them, nor anything that changes the repository itself
    expect(await role.decide({ action: "ecr:PutImage", resource: repository("acme/other") })).toBe("ImplicitlyDenied");
    expect(await role.decide({ action: "ecr:PutImage", resource: repository("acme/api", "999988887777") })).toBe("ImplicitlyDenied");
    expect(await role.decide({ action: "ecr:DeleteRepository", resource: repository("acme/api") })).toBe("ImplicitlyDenied");
    expect(await role.decide({ action: "ecr:BatchDeleteImage", resource: repository("acme/api") })).toBe("ImplicitlyDenied");
  });

  test.each<[string, EnvironmentInput, unknown[]]>([
    ["no repository and no CI role", minimalInput(), ["registry: [test] no ECR repository: the platform creates none (ecr.repositories is empty), so images must come from another registry. Add ecr.repositories to create them (the deploy role may then push), or list existing ones in ciDeploy.ecrRepositories"]],
    ["a CI role that may push nowhere", { ...minimalInput(), ciDeploy }, [expect.stringContaining("and the CI deploy role may push to none (ciDeploy.ecrRepositories is empty)")]],
    ["a repository", withRepositories([{ name: "acme/api" }]), []],
    ["an existing repository for CI", { ...minimalInput(), ciDeploy: { ...ciDeploy, ecrRepositories: ["acme-api"] } }, []],
  ])("GIVEN %s WHEN synthesized THEN synth says so as a warning annotation (or not)", (_case, input, warnings) => {
    const config = parseEnvironmentConfig(input);
    expect(registryWarnings(config)).toEqual(warnings);
    const { stack } = synthEnvironment(input);
    const annotations = stack.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => entry.data);
    expect(annotations.filter((message) => String(message).startsWith("registry:"))).toEqual(warnings);
  });

  test.each<[string, unknown[], string]>([
    ["a duplicate name", [{ name: "acme/api" }, { name: "acme/api" }], 'ecr.repositories.1.name: duplicate repository name "acme/api"'],
    ["an uppercase name", [{ name: "Acme/API" }], "ecr.repositories[Acme/API].name: must be an ECR repository name: lowercase letters and digits, segments joined by . _ - or / (got \"Acme/API\")"],
    ["a zero keepImages", [{ name: "acme/api", keepImages: 0 }], "ecr.repositories[acme/api].keepImages: must be >= 1 (got 0)"],
  ])("GIVEN %s WHEN validated THEN it is refused", (_case, repositories, message) => {
    expect(configProblems(withRepositories(repositories))).toEqual([message]);
  });

  test("the shipped staging example creates its API repository and lets CI push to it", () => {
    const { json } = synthExample("staging");
    expect(resourcesOfType(json, "aws_ecr_repository").map((repository) => repository.name)).toEqual(EXAMPLES.staging.ecr?.repositories?.map((repository) => repository.name));
  });
});
