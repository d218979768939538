/** Waiting for the handlers of an in-process `tideline dev` to go quiet, and their AWS calls (bench:fast, bench:flow). */
import { invocationStats } from "../../infra/local/handlers.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";

const HANDLERS = /^(event-api|api|runner|executor|timer):/;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The handlers' AWS calls counted since the last `awsCalls.reset()`, by `handler:Service.Operation`. */
export function handlerCalls(): Record<string, number> {
  return Object.fromEntries(Object.entries(awsCalls.snapshot()).filter(([k]) => HANDLERS.test(k)));
}

/** Waits until no handler has run or made an AWS call for `quietMs`. */
export async function quiet(quietMs = 400, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const state = () => JSON.stringify([handlerCalls(), invocationStats.running()]);
  let last = state();
  let since = Date.now();
  while ((Date.now() - since < quietMs || invocationStats.running() > 0) && Date.now() < end) {
    await sleep(20);
    const now = state();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}
