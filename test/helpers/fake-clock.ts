// A clock the test moves by hand. Two times, as on a real machine: wall time (now()) and running
// time (what timers count). advance() moves both and fires due timers in order; sleep() moves only
// wall time, as a suspended laptop does, so timers fire late in wall-clock terms afterwards.
import type { Clock, TimerHandle } from '../../src-main/scheduler/index.ts';

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets promise chains and their follow-ups run (no real time passes). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private timers = new Set<FakeTimer>();

  constructor(start: number) {
    this.wall = start;
  }

  now(): number {
    return this.wall;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const t: FakeTimer = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(t);
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as FakeTimer);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Runs for `ms`: fires each timer at its time, letting async work settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.mono + ms;
    await settle();
    for (;;) {
      let first: FakeTimer | undefined;
      for (const t of this.timers) if (t.at <= end && (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq))) first = t;
      if (!first) break;
      this.wall += first.at - this.mono;
      this.mono = first.at;
      this.timers.delete(first);
      first.fn();
      await settle();
    }
    this.wall += end - this.mono;
    this.mono = end;
    await settle();
  }

  /** Advances until wall time reaches `t`. */
  async advanceTo(t: number): Promise<void> {
    await this.advance(t - this.wall);
  }

  /** The machine is suspended for `ms`: wall time jumps, timers do not move. */
  sleep(ms: number): void {
    this.wall += ms;
  }
}
