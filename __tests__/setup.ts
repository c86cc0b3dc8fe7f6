import { expect } from "vitest";
import { allCustomMatcher } from "aws-sdk-client-mock-vitest";
import { skipCreationTraces } from "../stacks/creation-traces";

expect.extend(allCustomMatcher);
// As in a synth (main.ts): cdktf's per-token creation traces were half the CPU time of the synthesizing tests.
skipCreationTraces();
