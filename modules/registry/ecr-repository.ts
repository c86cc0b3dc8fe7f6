import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository as EcrRepositoryResource } from "@cdktf/provider-aws/lib/ecr-repository";

export interface EcrRepositoryProps {
  /** Repository name (unique in the account and region), e.g. `acme-api`. */
  readonly name: string;
  /**
   * Tagged images kept: the lifecycle rule expires the oldest beyond this many.
   * @default 100
   */
  readonly keepImages?: number;
  /**
   * Days an untagged image (a layer set a push left behind) is kept.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * `KMS`: the account's AWS managed key for ECR; `AES256`: S3-managed keys.
   * @default "KMS"
   */
  readonly encryption?: "KMS" | "AES256";
}

/**
 * A private ECR repository for release images: tags are immutable (a tag names one image for good,
 * so a rollback redeploys exactly what ran), every push is scanned, images are encrypted at rest,
 * and a lifecycle rule keeps the newest images only. `force_delete` stays off: Terraform refuses to
 * delete a repository that still holds images.
 */
export class EcrRepository extends Construct {
  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  public readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: EcrRepositoryProps) {
    super(scope, id);
    const repository = new EcrRepositoryResource(this, "repository", {
      name: props.name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: props.encryption ?? "KMS" }],
      forceDelete: false,
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Expire untagged images",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: props.untaggedExpiryDays ?? 7 },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: "Keep the newest tagged images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.keepImages ?? 100 },
            action: { type: "expire" },
          },
        ],
      }),
    });
    this.repositoryName = props.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
  }
}
