/**
 * Placeholders `npm run new-env` leaves where a copied environment must not keep the source's value
 * (hosts, e-mails, CIDRs, account ids, domains, ...). Validation refuses any that is left, saying what to fill.
 */
import { formatPath } from "./problems";

/** Every placeholder starts with this; what follows says what to fill in. */
export const PLACEHOLDER_PREFIX = "FILL-ME: ";

/** A placeholder string: `FILL-ME: <what to fill in>`. */
export const placeholder = (what: string): string => `${PLACEHOLDER_PREFIX}${what}`;

/** One problem per placeholder still in `input` (at any depth), naming its field and what to fill in. */
export function placeholderProblems(input: unknown): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX)) {
      problems.push(`${formatPath(input, path)}: placeholder left by new-env: fill in ${value.slice(PLACEHOLDER_PREFIX.length)}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(input, []);
  return problems;
}
