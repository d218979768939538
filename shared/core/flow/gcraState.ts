/**
 * GCRA decisions on stored state (ports/gates.ts): read the key's TAT, decide (gcra.ts), write it
 * back only if nobody wrote in between, and decide again on the fresh state when someone did.
 */

import type { Clock, GateStore } from "../../ports/index.js";
import { admit, type Gcra, reserve, type Slot } from "./gcra.js";

/** Enough for dozens of writers racing on one key (each round, one of them wins). */
const MAX_ATTEMPTS = 200;

/** A short random pause after a lost race spreads the racers out (grows to 64 ms). */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(64, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Decision<T> = { result: T; write?: number };

async function decide<T>(
  store: GateStore,
  clock: Clock,
  key: string,
  choose: (tat: number | undefined, now: number) => Decision<T>,
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = clock.now();
    const tat = await store.getTat(key, now);
    const d = choose(tat, now);
    if (d.write === undefined || (await store.setTat(key, tat, d.write, now))) return d.result;
    await backoff(attempt);
  }
  throw new Error(`GCRA state ${key}: kept losing races to other writers`);
}

/** Takes the key's next slot (never refused): when the admitted start may go. */
export function reserveSlot(store: GateStore, clock: Clock, key: string, g: Gcra): Promise<Slot> {
  return decide(store, clock, key, (tat, now) => {
    const slot = reserve(g, tat, now);
    return { result: slot, write: slot.tat };
  });
}

/** Admits one now if the key allows it (and counts it); false leaves the state as it was. */
export function tryAdmit(store: GateStore, clock: Clock, key: string, g: Gcra): Promise<boolean> {
  return decide(store, clock, key, (tat, now) => {
    const d = admit(g, tat, now);
    return "tat" in d ? { result: true, write: d.tat } : { result: false };
  });
}
