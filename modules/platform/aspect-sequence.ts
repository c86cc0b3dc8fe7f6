import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * Aspects applied one after another at each construct, in the order added: what adding each to
 * `Aspects.of(scope)` does, but cdktf then works out every construct's path once rather than once
 * per aspect (each time walking up to the app), about a tenth of a synth with three aspects.
 */
export class AspectSequence implements IAspect {
  private readonly aspects: IAspect[] = [];

  /** Adds an aspect, applied after those added before it. */
  public add(aspect: IAspect): void {
    this.aspects.push(aspect);
  }

  public visit(node: IConstruct): void {
    for (const aspect of this.aspects) aspect.visit(node);
  }
}
