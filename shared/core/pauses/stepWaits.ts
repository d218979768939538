import type { PauseKind, PauseRef } from "../../domain/schemas.js";
import { OPCODES } from "../../protocol/constants.js";

/** A pause a step waits on (cancelOn's pauses belong to the run, not to a step). */
export type StepWait = PauseRef & { kind: Exclude<PauseKind, "cancel">; stepId: string };

export const isStepWait = (p: PauseRef): p is StepWait => p.kind !== "cancel" && p.stepId !== undefined;

/** The op of the step each kind of wait stands for: the op its resumed step record carries. */
export const WAIT_OP: Readonly<Record<StepWait["kind"], string>> = {
  wait: OPCODES.waitForEvent,
  invoke: OPCODES.invokeFunction,
  signal: OPCODES.waitForSignal,
};
