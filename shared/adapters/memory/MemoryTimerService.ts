import type { TimerItem, TimerMessage } from "../../domain/schemas.js";
import type { TimerService } from "../../ports/index.js";

const sameMessage = (a: TimerMessage, b: TimerMessage) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Pending timers in a list. The same item for the same due time is kept once, as the AWS service
 * keeps one schedule per (item, due time). Tests read what is pending and take what fell due.
 */
export class MemoryTimerService implements TimerService {
  private readonly items: TimerMessage[] = [];

  async schedule(item: TimerItem, dueAt: number): Promise<void> {
    const message: TimerMessage = structuredClone({ item, dueAt });
    if (this.items.some((m) => sameMessage(m, message))) return;
    this.items.push(message);
  }

  /** Everything scheduled and not yet taken, earliest due first (ties in scheduling order). */
  pending(): TimerMessage[] {
    return structuredClone(this.items).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Takes the timers due at or before `now`, earliest first. */
  takeDue(now: number): TimerMessage[] {
    const due = this.items.filter((m) => m.dueAt <= now);
    for (const m of due) this.items.splice(this.items.indexOf(m), 1);
    return due.sort((a, b) => a.dueAt - b.dueAt);
  }
}
