/**
 * Resuming a run that waits: a matching event, an invoked child's finish, a signal, or the wait's
 * timeout stores the step's value and continues the run with a discovery. The pause is consumed
 * by a conditional delete in the same transaction as the step, so when an event and the timeout
 * (or two events) race, exactly one resumes the run and the other finds the pause gone.
 */
import { type Json, jsonBytes } from "../../domain/json.js";
import type { PauseKind, PauseRef, StepRecord } from "../../domain/schemas.js";
import type { RunStore, RunTransition } from "../../ports/index.js";
import { LIMITS } from "../../protocol/constants.js";
import { withFinish } from "../runs/finish.js";
import { type DispatchDeps, dispatchCommitted } from "../scheduling/dispatch.js";
import { addedJobs, afterResult } from "../scheduling/pending.js";
import { isStepWait, WAIT_OP } from "./stepWaits.js";

export interface ResumeDeps extends DispatchDeps {
  runs: RunStore;
}

export type ResumeResult = "resumed" | "gone";

/** The error name an invoke stores when its timeout resumes it (the official server's). */
export const INVOKE_TIMEOUT_ERROR = "InngestInvokeTimeoutError";

/** The stored value of a wait that timed out (PROTOCOL 4.5). */
export function timeoutValue(kind: PauseKind): Json {
  if (kind !== "invoke") return null;
  const message = "Timed out waiting for invoked function to complete";
  return { error: { name: INVOKE_TIMEOUT_ERROR, message, error: `${INVOKE_TIMEOUT_ERROR}: ${message}` } };
}

/**
 * Commit losses to retry: the run's version may move under us (a step planned beside the wait
 * committing, a cancel). Past that the resume throws, so the event's record or the timer message
 * is delivered again rather than dropped while the pause still waits.
 */
export const RESUME_ATTEMPTS = 3;

export async function resumePause(
  deps: ResumeDeps,
  runId: string,
  ref: PauseRef,
  value: Json,
): Promise<ResumeResult> {
  for (let i = 0; i < RESUME_ATTEMPTS; i++) {
    const run = await deps.runs.getRun(runId);
    if (run?.status !== "Running") return "gone";
    const live = run.pauses ?? [];
    if (!isStepWait(ref) || !live.some((p) => p.pauseId === ref.pauseId)) return "gone";
    const now = deps.clock.now();
    const step: StepRecord = {
      runId,
      stepId: ref.stepId,
      value,
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      op: WAIT_OP[ref.kind],
      attempts: 0,
      at: now,
      startedAt: ref.createdAt,
      wait: {
        expiresAt: ref.expiresAt,
        ...(ref.eventName !== undefined ? { eventName: ref.eventName } : {}),
        ...(ref.signal !== undefined ? { signal: ref.signal } : {}),
      },
    };
    const stateBytes = (run.stateBytes ?? 0) + jsonBytes(value);
    const transition: RunTransition =
      stateBytes > LIMITS.runStateMaxBytes
        ? // The run cannot take the value: it fails as a run over its state limit does.
          withFinish(
            run,
            {
              pauses: { consume: ref },
              set: {
                status: "Failed",
                endedAt: now,
                next: [],
                error: {
                  name: "Error",
                  message: `function run state is ${stateBytes} bytes; the limit is ${LIMITS.runStateMaxBytes}`,
                },
              },
              at: now,
            },
            now,
          )
        : {
            steps: [step],
            pauses: { consume: ref },
            set: {
              pauses: live.filter((p) => p.pauseId !== ref.pauseId),
              stack: [...run.stack, ref.stepId],
              stateBytes,
              next: afterResult(run),
              outbox: {},
            },
            at: now,
          };
    if (await deps.runs.commitTransition(runId, run.version, transition)) {
      await dispatchCommitted(deps, {
        next: addedJobs(run.next, transition.set.next ?? []),
        ...(transition.set.outbox ? { outbox: transition.set.outbox } : {}),
      });
      return "resumed";
    }
  }
  throw new Error(`run ${runId}: resuming ${ref.pauseId} kept losing to concurrent transitions`);
}
