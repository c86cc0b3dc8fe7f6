/**
 * The Spot pool advice rules by id. Kept free of imports so the config schema can list them for
 * acknowledgements without loading the advisor or its dataset.
 */
export const SPOT_ADVICE_RULES = {
  "few-instance-types": "a Spot pool lists fewer than 4 instance types",
  "single-family": "every instance type of a Spot pool is of one family and generation (e.g. m7g)",
  "high-interruption": "an instance type is in the dataset's most interrupted bucket (>20%) in the environment's region",
  "unknown-type": "the dataset does not know an instance type in the environment's region",
  "single-az": "a Spot pool's capacity is in a single Availability Zone",
} as const;

export type SpotAdviceRule = keyof typeof SPOT_ADVICE_RULES;

export const SPOT_ADVICE_RULE_IDS = Object.keys(SPOT_ADVICE_RULES) as [SpotAdviceRule, ...SpotAdviceRule[]];
