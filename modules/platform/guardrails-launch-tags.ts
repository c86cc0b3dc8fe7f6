import type { GuardrailRule, ResourceArguments } from "./guardrails";

/** What an ASG or a fleet launches from a template and is billed for; each must carry the cost tags. */
export const TAGGED_LAUNCH_RESOURCE_TYPES = ["instance", "volume"] as const;

const asList = (value: unknown): ResourceArguments[] =>
  Array.isArray(value) ? (value.filter((item) => typeof item === "object" && item !== null) as ResourceArguments[]) : [];

/**
 * Provider `default_tags` reach the resources Terraform creates, never what an Auto Scaling Group
 * or a Spot Fleet launches: instances and their volumes (most of the bill) are tagged only by the
 * launch template's `tag_specifications`. The required keys are the stack's own default tags, so
 * an environment's extra tags (cost center, owner) are held to the same rule.
 */
export const LAUNCHED_RESOURCE_TAG_RULES: readonly GuardrailRule[] = [
  {
    resourceType: "aws_launch_template",
    description: "launch templates must tag instances and volumes with the provider's default tags",
    check: (args, context) => {
      const required = Object.keys(context?.defaultTags ?? {});
      if (required.length === 0) return undefined;
      const specifications = asList(args.tag_specifications);
      const problems = TAGGED_LAUNCH_RESOURCE_TYPES.flatMap((resourceType) => {
        const specification = specifications.find((entry) => entry.resource_type === resourceType);
        const tags = typeof specification?.tags === "object" && specification.tags !== null ? (specification.tags as ResourceArguments) : {};
        const missing = required.filter((key) => !(key in tags));
        if (!specification) return [`no tag_specifications for ${resourceType}`];
        return missing.length > 0 ? [`${resourceType} tags lack ${missing.join(", ")}`] : [];
      });
      return problems.length > 0 ? problems.join("; ") : undefined;
    },
  },
];
