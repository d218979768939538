/**
 * The op handler table: one entry per opcode the SDKs send (PROTOCOL 5.3). A feature that adds an
 * op (waitForEvent, invoke, signals, defers) adds its handler here and nowhere else.
 */
import { OPCODES } from "../../../protocol/constants.js";
import { deferAbort, deferAdd } from "./defers.js";
import { stepError, stepFailed, stepRun } from "./results.js";
import { sleep } from "./sleep.js";
import type { OpHandler } from "./types.js";
import { invokeFunction, waitForEvent, waitForSignal } from "./waits.js";

/**
 * Run a planned step as a targeted request (`stepId=<id>`). Every StepPlanned of an answer gets its
 * own job, all in flight at once; `parallelMode: "race"` asks for a discovery after each result.
 */
const stepPlanned: OpHandler = {
  handle: (_ctx, op) => ({
    continueWith: {
      kind: "plan",
      stepId: op.id,
      ...(op.opts?.parallelMode === "race" ? { race: true } : {}),
    },
    summary: "step planned",
  }),
};

/** Fails the run with a message naming the op, rather than leaving it waiting forever. */
function unsupported(opName: string): OpHandler {
  return {
    handle: () => ({
      fail: { name: "Error", message: `Step op ${opName} is not supported by this Tideline version yet` },
      summary: `unsupported op ${opName}`,
    }),
  };
}

export const OP_HANDLERS: Readonly<Record<string, OpHandler>> = {
  [OPCODES.stepRun]: stepRun,
  [OPCODES.step]: stepRun,
  [OPCODES.stepError]: stepError,
  [OPCODES.stepFailed]: stepFailed,
  [OPCODES.sleep]: sleep,
  [OPCODES.stepPlanned]: stepPlanned,
  [OPCODES.waitForEvent]: waitForEvent,
  [OPCODES.invokeFunction]: invokeFunction,
  [OPCODES.waitForSignal]: waitForSignal,
  [OPCODES.aiGateway]: unsupported(OPCODES.aiGateway),
  [OPCODES.gateway]: unsupported(OPCODES.gateway),
  [OPCODES.discoveryRequest]: unsupported(OPCODES.discoveryRequest),
  [OPCODES.deferAdd]: deferAdd,
  [OPCODES.deferAbort]: deferAbort,
};

/** The handler of an op; an unknown op fails the run naming it. */
export function opHandler(op: string): OpHandler {
  return (
    OP_HANDLERS[op] ?? {
      handle: () => ({
        fail: { name: "Error", message: `Unknown step op ${op}` },
        summary: `unknown op ${op}`,
      }),
    }
  );
}
