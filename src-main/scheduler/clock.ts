// Time, injected: the scheduler never calls Date.now or setTimeout itself, so tests drive it with
// a fake clock (including a computer that sleeps: wall time jumps, timers do not move).
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Wall-clock time, ms since the epoch. Jumps forward after sleep or a clock change. */
  now(): number;
  /** Calls fn after about ms of running time (a timer does not count time asleep). */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
