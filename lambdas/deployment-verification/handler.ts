import { decide, type Probe } from "./check";
import type { LifecycleHookEvent, LifecycleHookResult } from "./contract";
import { probe } from "./probe";

/** An ECS deployment lifecycle hook that checks the new revision through the test listener rule (see check.ts). */
export function verificationHook(send: Probe): (event: LifecycleHookEvent) => Promise<LifecycleHookResult> {
  return async (event) => {
    const decision = await decide(event, send);
    console.log(
      JSON.stringify({
        level: decision.outcome === "failed" || decision.outcome === "misconfigured" ? "error" : "info",
        message: `deployment verification ${decision.outcome}`,
        deployment: event.resourceArn,
        stage: event.lifecycleStage,
        revision: event.executionDetails?.targetServiceRevisionArn,
        attempt: decision.attempt,
        probe: decision.probe,
        problems: decision.problems,
        hookStatus: decision.result.hookStatus,
      }),
    );
    return decision.result;
  };
}

export const handler = verificationHook(probe);
