import { IAspect, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { isStateful } from "./resource-types";

/**
 * Sets `lifecycle.prevent_destroy` on every stateful resource (see `RESOURCE_TYPES`), keeping the
 * resource's other lifecycle settings: a plan that would destroy or replace one of them fails
 * instead of losing its data. Applied to the stacks of environments that protect themselves.
 */
export class PreventDestroy implements IAspect {
  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !isStateful(node.terraformResourceType)) return;
    node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}
