import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";

export interface InstanceRoleProps {
  /** Name of the role and of its instance profile (at most 64 characters). */
  readonly name: string;
  /** AWS partition of the resources' ARNs, e.g. `aws` (the stack's `data.aws_partition`). */
  readonly partition: string;
}

/**
 * The ECS container-instance role and its instance profile: the ECS agent's managed policy and
 * SSM core for shell-less access, nothing else. Tasks get their own roles; IMDSv2 with a hop
 * limit of 1 keeps containers away from this one.
 */
export class InstanceRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly instanceProfileArn: string;
  public readonly instanceProfileName: string;
  /** The policy attachments: instances launched before these exist cannot register with ECS. */
  public readonly policyAttachments: IamRolePolicyAttachment[];

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "role", { name: props.name, assumeRolePolicy: trust.json });
    this.policyAttachments = ["service-role/AmazonEC2ContainerServiceforEC2Role", "AmazonSSMManagedInstanceCore"].map(
      (policy) =>
        new IamRolePolicyAttachment(this, policy.split("/").pop()!, {
          role: role.name,
          policyArn: `arn:${props.partition}:iam::aws:policy/${policy}`,
        }),
    );
    const profile = new IamInstanceProfile(this, "profile", { name: props.name, role: role.name });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.instanceProfileArn = profile.arn;
    this.instanceProfileName = profile.name;
  }
}
