import { describe, expect, it } from "vitest";
import { wakeablePause } from "../../../../infra/local/abortableSleep.js";

/** Milliseconds `p` took to settle. */
async function timed(p: Promise<void>): Promise<number> {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
}

describe("wakeablePause", () => {
  it("waits its full length without a wake", async () => {
    const idle = wakeablePause(80, new AbortController().signal);
    expect(await timed(idle.pause())).toBeGreaterThanOrEqual(70);
  });

  it("ends at once when woken during the pause", async () => {
    const idle = wakeablePause(10_000, new AbortController().signal);
    const p = idle.pause();
    idle.wake();
    expect(await timed(p)).toBeLessThan(1000);
  });

  it("keeps a wake that came between pauses for the next pause, once", async () => {
    const idle = wakeablePause(150, new AbortController().signal);
    idle.wake();
    idle.wake(); // wakes do not add up
    expect(await timed(idle.pause())).toBeLessThan(50);
    expect(await timed(idle.pause())).toBeGreaterThanOrEqual(140);
  });

  it("ends when the signal aborts, and does not pause once it has", async () => {
    const abort = new AbortController();
    const idle = wakeablePause(10_000, abort.signal);
    const p = idle.pause();
    abort.abort();
    expect(await timed(p)).toBeLessThan(1000);
    expect(await timed(idle.pause())).toBeLessThan(1000);
  });
});
