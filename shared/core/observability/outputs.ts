import { NotFoundError } from "../../domain/errors.js";
import { type StepRecord, type StoredError, storedErrorSchema } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";
import { parseOutputId } from "./outputIds.js";
import { stepOutcome } from "./stepOutcome.js";

/** A span's output: `data` is JSON text (the value as the function returned it); `error` a stored error. */
export interface SpanOutput {
  data: string | null;
  error: StoredError | null;
}

/** A step's output as the APIs give it: its data as JSON text, or its error. */
function fromStep(step: StepRecord): SpanOutput {
  const outcome = stepOutcome(step);
  if (!("error" in outcome)) return { data: JSON.stringify(outcome.data), error: null };
  const error = storedErrorSchema.safeParse(outcome.error);
  return {
    data: null,
    error: error.success ? error.data : { name: "Error", message: JSON.stringify(outcome.error) },
  };
}

/** Reads the value an output id points at; NotFoundError when the run, step or attempt is gone. */
export async function readSpanOutput(runs: RunStore, id: string): Promise<SpanOutput> {
  const ref = parseOutputId(id);
  const missing = () => new NotFoundError(`output ${id} not found`);
  switch (ref.kind) {
    case "run": {
      const run = await runs.getRun(ref.runId);
      if (!run) throw missing();
      if (run.status === "Failed")
        return { data: null, error: run.error ?? { name: "Error", message: "run failed" } };
      return { data: run.status === "Completed" ? JSON.stringify(run.output ?? null) : null, error: null };
    }
    case "step": {
      const step = await runs.getStep(ref.runId, ref.stepId);
      if (!step) throw missing();
      return fromStep(step);
    }
    case "attempt": {
      const history = await runs.getRunHistory(ref.runId);
      const attempt = history?.attempts.find((a) => a.version === ref.version);
      if (!attempt) throw missing();
      return { data: null, error: attempt.error };
    }
  }
}
