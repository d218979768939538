import { NotFoundError } from "../../domain/errors.js";
import type { Json } from "../../domain/json.js";
import { type StoredError, storedErrorSchema } from "../../domain/schemas.js";
import type { RunStore } from "../../ports/index.js";
import { OPCODES } from "../../protocol/constants.js";
import { parseOutputId } from "./outputIds.js";

/** A span's output: `data` is JSON text (the value as the function returned it); `error` a stored error. */
export interface SpanOutput {
  data: string | null;
  error: StoredError | null;
}

/** A step's output; a matched waitForEvent's is the whole event (its `data` is not a wrapper). */
function fromStepValue(value: Json, op: string): SpanOutput {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    if ("error" in value) {
      const error = storedErrorSchema.safeParse(value.error);
      return {
        data: null,
        error: error.success ? error.data : { name: "Error", message: JSON.stringify(value.error) },
      };
    }
    if ("data" in value && op !== OPCODES.waitForEvent)
      return { data: JSON.stringify(value.data ?? null), error: null };
  }
  return { data: JSON.stringify(value), error: null };
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
      return fromStepValue(step.value, step.op);
    }
    case "attempt": {
      const history = await runs.getRunHistory(ref.runId);
      const attempt = history?.attempts.find((a) => a.version === ref.version);
      if (!attempt) throw missing();
      return { data: null, error: attempt.error };
    }
  }
}
