/**
 * `POST /v1/signals` (PROTOCOL 6.6): resumes the run waiting on a signal (`step.waitForSignal`)
 * with `{"data": {"signal", "data"}}` and answers its run id; 404 when no run waits on it.
 */
import type { z } from "zod";
import { NotFoundError } from "../../../domain/errors.js";
import { refOf } from "../../../domain/pauses.js";
import type { PauseStore } from "../../../ports/index.js";
import { type ResumeDeps, resumePause } from "../../pauses/resume.js";
import type { signalRequestSchema } from "./requests.js";
import type { runIdAnswerSchema } from "./schemas.js";
import { responseMetadata } from "./views.js";

export interface SignalDeps extends ResumeDeps {
  pauses: PauseStore;
}

export async function sendSignal(
  deps: SignalDeps,
  body: z.output<typeof signalRequestSchema>,
): Promise<z.infer<typeof runIdAnswerSchema>> {
  const { signal } = body;
  const notFound = () => new NotFoundError(`No run is waiting for signal "${signal}"`);
  const pause = await deps.pauses.forSignal(signal);
  // Expired: its timeout is due (or running) and resumes the run with null.
  if (!pause || pause.expiresAt <= deps.clock.now()) throw notFound();
  const value = { data: { signal, data: body.data ?? null } };
  if ((await resumePause(deps, pause.runId, refOf(pause), value)) === "gone") throw notFound();
  return { data: { run_id: pause.runId }, metadata: responseMetadata(deps.clock.now()) };
}
