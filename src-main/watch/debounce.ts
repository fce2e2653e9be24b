// A burst of changes is one backup: fire once the sources have been quiet for `delayMs`. A folder
// that never stops changing (a log written every second) would starve that rule, so a change
// also never waits longer than `maxWaitMs` from the first change of the burst.
import type { Clock, TimerHandle } from '../scheduler/clock.ts';

export class Debouncer {
  private readonly clock: Clock;
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly fire: () => void;
  private timer: TimerHandle | null = null;
  private firstAt: number | null = null;

  constructor(clock: Clock, delayMs: number, fire: () => void, maxWaitMs = delayMs * 6) {
    this.clock = clock;
    this.delayMs = delayMs;
    this.maxWaitMs = Math.max(delayMs, maxWaitMs);
    this.fire = fire;
  }

  get pending(): boolean {
    return this.timer !== null;
  }

  trigger(): void {
    const now = this.clock.now();
    this.firstAt ??= now;
    if (this.timer) this.clock.clearTimer(this.timer);
    const wait = Math.min(this.delayMs, Math.max(0, this.firstAt + this.maxWaitMs - now));
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.firstAt = null;
      this.fire();
    }, wait);
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.firstAt = null;
  }
}
