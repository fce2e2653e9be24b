// Scheduler: when plans run (interval or cron), catch-up after sleep or restart, one job per
// repository at a time, retries with backoff, overdue detection, pause.
export { Scheduler, type SchedulablePlan, type JobResult, type RunReason, type SchedulerEvent, type PlanStatus, type SchedulerOptions } from './scheduler.ts';
export { systemClock, type Clock, type TimerHandle } from './clock.ts';
export { MemorySchedulerStore, emptySchedulerState, type SchedulerStore, type SchedulerState, type PlanRunState } from './state.ts';
export { FileSchedulerStore, STATE_FILE } from './state-file.ts';
