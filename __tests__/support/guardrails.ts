import { Aspects, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Guardrails } from "../../modules/platform/guardrails";

/**
 * Synthesizes what `build` adds to a stack named `guarded` under the guardrails; returns the
 * guardrails' error message, or "ok" when every rule passes. `defaultTags` go on the provider, for
 * rules that read them.
 */
export function synthWithGuardrails(build: (stack: TerraformStack) => void, defaultTags?: Record<string, string>): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, "guarded");
  new AwsProvider(stack, "aws", { region: "eu-west-1", defaultTags: defaultTags && [{ tags: defaultTags }] });
  Aspects.of(stack).add(new Guardrails());
  build(stack);
  try {
    app.synth();
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
}
