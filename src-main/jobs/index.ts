// Jobs: running engine operations in the background with progress, cancel, logs and history.
export type * from './types.ts';
export { createJobService, LocalJobService, type JobServiceOptions, type ProfilesReader } from './service.ts';
export { runPlanJob } from './scheduler-glue.ts';
export { passwordFromSecrets, type GetPassword } from './repositories.ts';
export { JobRequestSchema, JobInfoSchema } from './schema.ts';
export { HISTORY_LIMIT } from './history.ts';
export type { LogLine, LogLevel } from './job-log.ts';
