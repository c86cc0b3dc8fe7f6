import { Aspects, type IAspect, Testing, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { describe, expect, test } from "vitest";
import { AspectSequence } from "../../../modules/platform/aspect-sequence";

/** An aspect that records which construct it visited, under its name. */
function recording(name: string, visits: string[]): IAspect {
  return { visit: (node: IConstruct) => void visits.push(`${name}:${node.node.path}`) };
}

/** A stack with a small tree, its aspects added by `apply`; the visits once synthesized. */
function visitsOf(apply: (stack: TerraformStack, visits: string[]) => void): string[] {
  const visits: string[] = [];
  const stack = new TerraformStack(Testing.app(), "stack");
  new Construct(new Construct(stack, "a"), "b");
  new Construct(stack, "c");
  apply(stack, visits);
  Testing.synth(stack);
  return visits;
}

describe("AspectSequence", () => {
  test("visits every construct with each aspect in the order added, as separate aspects do", () => {
    // GIVEN the same two aspects as a sequence and as separate aspects
    const sequence = visitsOf((stack, visits) => {
      const aspects = new AspectSequence();
      Aspects.of(stack).add(aspects);
      aspects.add(recording("first", visits));
      aspects.add(recording("second", visits));
    });
    const separate = visitsOf((stack, visits) => {
      Aspects.of(stack).add(recording("first", visits));
      Aspects.of(stack).add(recording("second", visits));
    });

    // THEN
    expect(sequence).toEqual(separate);
    expect(sequence.slice(0, 4)).toEqual(["first:stack", "second:stack", "first:stack/a", "second:stack/a"]);
  });
});
