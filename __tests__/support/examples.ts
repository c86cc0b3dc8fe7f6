import type { EnvironmentInput } from "../../stacks/config";
import { production } from "../../stacks/environments/production";
import { staging } from "../../stacks/environments/staging";

/**
 * The shipped example environments, as test fixtures. A test that needs their shapes (a Spot Fleet, a domain, a
 * canary service, a job) names them here, never through the registry (stacks/environments/index.ts): a team
 * registers its own environments there and may take these out, and the suite stays green. Tests about every
 * registered environment iterate the registry instead.
 */
export const EXAMPLES = { staging, production } satisfies Record<string, EnvironmentInput>;

export type ExampleName = keyof typeof EXAMPLES;
