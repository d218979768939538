/**
 * The runner stage that resumes and cancels runs: every event is tested against the pauses on
 * its name (only the partitions its own values select). A pause takes only events received after
 * it began (a cancel pause: after the run's trigger), never the run's own trigger, and only
 * before it expires; then its condition decides.
 */
import type { Json } from "../../domain/json.js";
import { pausableName, refOf } from "../../domain/pauses.js";
import { type AcceptedEvent, type InngestEvent, type Pause, storedErrorJson } from "../../domain/schemas.js";
import { pauseMatches } from "../../expressions/pauseExpression.js";
import { mapLimited } from "../concurrency.js";
import { batchMemo } from "../runner/batchMemo.js";
import type { EventConsumer, RunnerDeps } from "../runner/types.js";
import { cancelRun } from "../runs/cancel.js";
import { CANCELLED_ERROR } from "../runs/finish.js";
import { resumePause } from "./resume.js";

/** Runs resumed or cancelled at once for one event. */
const CONCURRENCY = 16;

/** Whether `accepted` may resume or cancel through `pause` (everything but the condition). */
export function admits(pause: Pause, accepted: AcceptedEvent): boolean {
  if (pause.expiresAt <= accepted.receivedAt) return false;
  if (pause.triggerEventId === accepted.internalId) return false;
  // A wait began when its pause was made; a cancel pause's is made with its run.
  if (accepted.receivedAt < pause.createdAt) return false;
  return (
    pause.expression === undefined ||
    pauseMatches({ source: pause.expression, event: pause.event ?? {} }, accepted.event)
  );
}

/**
 * The step value an event resumes a pause with (PROTOCOL 4.5): a wait gets the event itself; an
 * invoke gets the child's `{data: result}` or `{error}`. A cancelled child's events carry neither;
 * the official server then stores the whole event as data, Tideline fails the step with
 * "function cancelled" so the parent sees why.
 */
export function resumeValue(pause: Pause, event: InngestEvent): Json {
  if (pause.kind !== "invoke") return { ...event };
  const data = event.data;
  if (data.error !== undefined && data.error !== null) return { error: data.error };
  if ("result" in data) return { data: data.result ?? null };
  return { error: storedErrorJson(CANCELLED_ERROR) };
}

export function pausesConsumer(deps: RunnerDeps): EventConsumer {
  // The paths of each name are read once per batch. A pause whose path is declared later in the
  // batch began after the batch's events were received, so it could not take them anyway.
  const pathsOf = batchMemo((name) => deps.pauses.indexedPaths(name));
  return {
    name: "resume and cancel",
    async consume(accepted) {
      if (!pausableName(accepted.event.name)) return {};
      const paths = await pathsOf(accepted.event.name);
      if (paths.length === 0) return {};
      const found = await deps.pauses.candidates(accepted.event, paths);
      const matched = found.filter((p) => admits(p, accepted));
      await mapLimited(matched, CONCURRENCY, async (pause) => {
        if (pause.kind === "cancel") await cancelRun(deps, pause.runId, `event ${accepted.internalId}`);
        else await resumePause(deps, pause.runId, refOf(pause), resumeValue(pause, accepted.event));
      });
      return {};
    },
  };
}
