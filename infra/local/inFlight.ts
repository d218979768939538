import { sleep } from "./abortableSleep.js";

/**
 * Invocations running at once, up to a capacity: what a Lambda event-source mapping's concurrency
 * limit is locally. Each task takes one slot until it settles.
 */
export class InFlight {
  private readonly tasks = new Set<Promise<void>>();
  private slotFreed: () => void = () => {};

  constructor(
    readonly capacity: number,
    private readonly onSettled: () => void = () => {},
  ) {}

  get size(): number {
    return this.tasks.size;
  }

  /** Free slots now. */
  room(): number {
    return Math.max(0, this.capacity - this.tasks.size);
  }

  /** Runs `task`; its failure is passed to `onError`, never thrown. */
  run(task: () => Promise<void>, onError: (err: unknown) => void): void {
    const running = task()
      .catch(onError)
      .finally(() => {
        this.tasks.delete(running);
        this.slotFreed();
        this.onSettled();
      });
    this.tasks.add(running);
  }

  /** Resolves when a slot is free (or the signal aborts). */
  async waitForRoom(signal: AbortSignal): Promise<void> {
    while (this.room() === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          this.slotFreed = () => {};
          resolve();
        };
        this.slotFreed = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  /** Waits for every task, at most `graceMs` when given; false when some were still running. */
  async settle(graceMs?: number): Promise<boolean> {
    const all = Promise.all([...this.tasks]).then(() => true);
    if (graceMs === undefined) return all;
    return Promise.race([all, sleep(graceMs).then(() => false)]);
  }
}
