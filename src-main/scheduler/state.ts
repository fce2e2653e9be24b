// What the scheduler must remember across restarts to catch up: per plan, when it last ran and how
// that went, and whether it is paused; and whether all schedules are paused. Persisted through an injected store.
import { z } from 'zod';

export const PlanRunStateSchema = z.strictObject({
  /** When the scheduler first saw the plan: the reference for "overdue" before any success. */
  since: z.number(),
  /** Start of the last attempt; the next slot is computed from it. */
  lastAttempt: z.number().optional(),
  /** End of the last successful run. */
  lastSuccess: z.number().optional(),
  lastResult: z.enum(['success', 'failure']).optional(),
  /** One line, from the job runner (which redacts secrets). */
  lastError: z.string().optional(),
  /** Consecutive failures since the last success: drives the retry backoff. */
  failures: z.number().int().min(0),
  /** This plan's own pause (the dashboard card's "Pause"); absent in files written before it existed. */
  pausedUntil: z.number().optional(),
});

export const SchedulerStateSchema = z.strictObject({
  version: z.literal(1),
  plans: z.record(z.string(), PlanRunStateSchema),
  pausedUntil: z.number().optional(),
});

export type PlanRunState = z.infer<typeof PlanRunStateSchema>;
export type SchedulerState = z.infer<typeof SchedulerStateSchema>;

export interface SchedulerStore {
  load(): Promise<SchedulerState>;
  save(state: SchedulerState): Promise<void>;
}

export function emptySchedulerState(): SchedulerState {
  return { version: 1, plans: {} };
}

/** Keeps the state in memory: for tests, and for a host that wants no persistence. */
export class MemorySchedulerStore implements SchedulerStore {
  private state: SchedulerState;
  saves = 0;

  constructor(initial: SchedulerState = emptySchedulerState()) {
    this.state = structuredClone(initial);
  }

  async load(): Promise<SchedulerState> {
    return structuredClone(this.state);
  }

  async save(state: SchedulerState): Promise<void> {
    this.saves++;
    this.state = structuredClone(state);
  }

  get snapshot(): SchedulerState {
    return structuredClone(this.state);
  }
}
