/**
 * EventBridge event pattern matching, for the parts of the pattern language the platform uses:
 * exact values, `anything-but`, `prefix`, `exists`, nested objects, `$or`, and arrays in the
 * event (a leaf matches when any element does). Anything else throws, so a pattern the tests
 * cannot judge never passes silently.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === "$or") return (expected as Array<Record<string, unknown>>).some((branch) => matchesPattern(branch, event));
    const value = typeof event === "object" && event !== null ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) return expected.some((matcher) => matchesLeaf(matcher, value));
    if (typeof expected === "object" && expected !== null) {
      const candidates = Array.isArray(value) ? value : [value];
      return candidates.some((candidate) => typeof candidate === "object" && candidate !== null && matchesPattern(expected as Record<string, unknown>, candidate));
    }
    throw new Error(`pattern field ${key} must be an array or an object`);
  });
}

function matchesLeaf(matcher: unknown, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((element) => matchesLeaf(matcher, element));
  if (matcher === null || typeof matcher !== "object") return value !== undefined && value === matcher;
  const [operator, operand] = Object.entries(matcher as Record<string, unknown>)[0];
  switch (operator) {
    case "anything-but":
      return value !== undefined && (Array.isArray(operand) ? !operand.includes(value) : value !== operand);
    case "prefix":
      return typeof value === "string" && value.startsWith(String(operand));
    case "exists":
      return (value !== undefined) === operand;
    default:
      throw new Error(`unsupported pattern operator ${operator}`);
  }
}
