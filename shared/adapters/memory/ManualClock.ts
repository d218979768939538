import type { Clock } from "../../ports/index.js";

/** A clock that moves only when told: tests decide what "now" is. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2030, 0, 1)) {}

  now(): number {
    return this.current;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}
