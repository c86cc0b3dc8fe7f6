import type { EnvironmentInput } from "../config";
import { production } from "./production";
import { staging } from "./staging";

/** Every environment, by stack name. Add one by adding a file beside this one and listing it here. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentInput>> = { staging, production };
