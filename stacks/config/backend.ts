/** Where Terraform keeps an environment's state. */
import { z } from "zod";
import { REGION } from "./fields";

export const backendSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("local").describe("Local state file: synth and plan work offline; for trying things out, not for teams."),
    path: z.string().min(1).optional().describe("State file path, relative to the stack directory `cdktf.out/stacks/<environment>` where Terraform runs. Default: `../../../terraform.<environment>.tfstate`, i.e. `terraform.<environment>.tfstate` in the project root (beside `cdktf.out`), as a relative path so the stack is the same on every machine."),
  }),
  z.object({
    type: z.literal("cloud").describe("Terraform Cloud / HCP Terraform `cloud` block."),
    organization: z.string().min(1, "must name the Terraform Cloud organization").describe("The Terraform Cloud organization."),
    workspace: z.string().regex(/^[A-Za-z0-9_-]{1,90}$/, "must be 1-90 letters, digits, - or _").optional().describe("Workspace name. Default `<project>-<environment>`: one workspace per environment."),
    hostname: z.string().min(1).default("app.terraform.io").describe("Terraform Cloud / Enterprise host."),
  }),
  z.object({
    type: z.literal("s3").describe("S3 state, encrypted, with S3-native locking."),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name").describe("S3 bucket holding the state (created beforehand, versioned)."),
    key: z.string().min(1).optional().describe("State object key. Default `<project>/<environment>/terraform.tfstate`."),
    region: z.string().regex(REGION, "must be an AWS region such as eu-west-1").optional().describe("The bucket's region. Default: the environment's `region`."),
    useLockfile: z.boolean().default(true).describe("S3-native state locking (`use_lockfile`, Terraform >= 1.10). Set false together with `dynamodbTable` for older Terraform."),
    dynamodbTable: z.string().min(3).optional().describe("Legacy DynamoDB locking table, for Terraform < 1.10."),
  }),
]);
