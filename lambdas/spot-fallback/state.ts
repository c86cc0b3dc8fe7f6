import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { initialState, type FallbackSettings, type FallbackState } from "./controller";

/**
 * The controller's memory in one SSM parameter (String, standard tier). Terraform creates it and
 * ignores its value. Unreadable or missing state starts afresh: the level itself is read from the
 * group every tick, so what is lost is only timing (the controller then holds for a full hold).
 */
export class StateStore {
  constructor(
    private readonly ssm: SSMClient,
    private readonly parameterName: string,
  ) {}

  async load(settings: FallbackSettings): Promise<FallbackState> {
    try {
      const { Parameter } = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName }));
      return parseState(Parameter?.Value, settings);
    } catch (err) {
      if (err instanceof ParameterNotFound) return initialState(settings);
      throw err;
    }
  }

  async save(state: FallbackState): Promise<void> {
    await this.ssm.send(new PutParameterCommand({ Name: this.parameterName, Value: JSON.stringify(state), Overwrite: true }));
  }
}

export function parseState(text: string | undefined, settings: FallbackSettings): FallbackState {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    return initialState(settings);
  }
  if (typeof value !== "object" || value === null) return initialState(settings);
  const record = value as Record<string, unknown>;
  const time = (key: string) => (typeof record[key] === "number" && Number.isFinite(record[key]) ? { [key]: record[key] } : {});
  const hold = record.holdSeconds;
  return {
    phase: record.phase === "fallback" ? "fallback" : "spot",
    holdSeconds: typeof hold === "number" && hold > 0 ? hold : settings.recoveryHoldSeconds,
    ...time("starvingSince"),
    ...time("lastErrorAt"),
    ...time("lastRaiseAt"),
    ...time("lastStepDownAt"),
    ...time("levelBeforeStepDown"),
    ...time("fallbackSince"),
  };
}
