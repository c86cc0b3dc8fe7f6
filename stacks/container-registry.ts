/**
 * The environment's ECR repositories (config `ecr.repositories`), and the synth advice when the
 * environment has no repository at all: then CI has nowhere to push, and the deploy role no push
 * permission. cdktf only in the construct; `registryWarnings` is plain config reading.
 */
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { EcrRepository } from "../modules/registry/ecr-repository";
import type { EnvironmentConfig } from "./config";

/** What synth says about where the environment's images come from. */
export function registryWarnings(config: Pick<EnvironmentConfig, "environment" | "ecr" | "ciDeploy">): string[] {
  if (config.ecr.repositories.length > 0 || (config.ciDeploy?.ecrRepositories.length ?? 0) > 0) return [];
  return [
    `registry: [${config.environment}] no ECR repository: the platform creates none (ecr.repositories is empty)` +
      (config.ciDeploy ? " and the CI deploy role may push to none (ciDeploy.ecrRepositories is empty)" : "") +
      ", so images must come from another registry. Add ecr.repositories to create them (the deploy role may then push), or list existing ones in ciDeploy.ecrRepositories",
  ];
}

/** Names of the ECR repositories releases may ship images from: those the environment creates and those the deploy role may push to. */
export function releaseRepositoryNames(config: Pick<EnvironmentConfig, "ecr" | "ciDeploy">): string[] {
  return [...new Set([...config.ecr.repositories.map((repository) => repository.name), ...(config.ciDeploy?.ecrRepositories ?? [])])];
}

export interface ContainerRegistryProps {
  readonly repositories: EnvironmentConfig["ecr"]["repositories"];
}

export class ContainerRegistry extends Construct {
  /** Names of the repositories created here. */
  public readonly repositoryNames: readonly string[];

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const repositories = props.repositories.map(
      (repository) =>
        // The name is the construct id: renaming a repository replaces it, which its images forbid anyway.
        new EcrRepository(this, repository.name.replace(/[^a-z0-9-]/g, "-"), repository),
    );
    this.repositoryNames = repositories.map((repository) => repository.repositoryName);
    if (repositories.length > 0) {
      new TerraformOutput(scope, "ecr_repository_urls", {
        description: "URL of each ECR repository the platform created, by name: what CI tags and pushes release images to",
        value: Object.fromEntries(repositories.map((repository) => [repository.repositoryName, repository.repositoryUrl])),
      });
    }
  }
}
