/** ECR repositories the environment creates for its release images. */
import { z } from "zod";
import { int } from "./fields";

/** An ECR repository name: lowercase segments joined by `.`, `_`, `-` or `/` (2-256 characters). */
export const ECR_REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export const ecrSchema = z
  .object({
    repositories: z
      .array(
        z.object({
          name: z.string().regex(ECR_REPOSITORY_NAME, "must be an ECR repository name: lowercase letters and digits, segments joined by . _ - or /").describe("Repository name, unique in the account and region, e.g. `acme-api`. The CI deploy role may push to it."),
          keepImages: int(1, 10000).default(100).describe("Images kept: the lifecycle rule expires the oldest beyond this many (keep more than a rollback ever reaches back)."),
          untaggedExpiryDays: int(1, 3650).default(7).describe("Days an untagged image is kept before the lifecycle rule expires it."),
          encryption: z.enum(["KMS", "AES256"]).default("KMS").describe("`KMS`: the account's AWS managed key for ECR; `AES256`: ECR-managed keys."),
        }),
      )
      .default([])
      .superRefine((repositories, ctx) => {
        repositories.forEach((repository, index) => {
          if (repositories.findIndex((other) => other.name === repository.name) !== index) {
            ctx.addIssue({ code: "custom", path: [index, "name"], message: `duplicate repository name "${repository.name}"` });
          }
        });
      })
      .describe("Repositories to create, each with immutable tags, scan on push, encryption at rest and a lifecycle rule. Terraform refuses to delete one that holds images."),
  })
  .prefault({})
  .describe("Private ECR repositories for the environment's release images.");
