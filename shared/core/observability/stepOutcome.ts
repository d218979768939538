import type { Json } from "../../domain/json.js";
import type { StepRecord } from "../../domain/schemas.js";
import { OPCODES } from "../../protocol/constants.js";

/**
 * A stored step value read back (PROTOCOL 4.5): `{error}` is the step's error; `{data}` wraps its
 * output, except for a matched waitForEvent, whose value is the event itself (its `data` is only
 * part of it); anything else (a sleep's null, a signal's …) is the output as stored.
 */
export type StepOutcome = { error: Json } | { data: Json };

export function stepOutcome(step: Pick<StepRecord, "op" | "value">): StepOutcome {
  const { value } = step;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { data: value };
  if ("error" in value) return { error: value.error ?? null };
  if ("data" in value && step.op !== OPCODES.waitForEvent) return { data: value.data ?? null };
  return { data: value };
}
