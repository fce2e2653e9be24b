// zod schemas for what the job service reads back from disk (history files): a file edited by
// hand, torn by a crash of an older version, or written by a newer Cairn must be recognised,
// never trusted. Also used to validate requests coming from outside (the API).
import { z } from 'zod';
import type { JobInfo, JobRequest } from './types.ts';

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

export const JobRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('backup'), planId: Id, reason: z.enum(['scheduled', 'catch-up', 'retry', 'manual', 'watch']).optional() }),
  z.object({ kind: z.literal('forget-prune'), planId: Id, dryRun: z.boolean().optional() }),
  z.object({ kind: z.literal('check'), repositoryId: Id, readDataSubset: z.string().min(1).optional() }),
  z.object({ kind: z.literal('copy'), fromRepositoryId: Id, toRepositoryId: Id, snapshotIds: z.array(z.string().min(1)).optional() }),
  z.object({
    kind: z.literal('restore'),
    repositoryId: Id,
    snapshotId: z.string().min(1),
    target: z.string().min(1),
    include: z.array(z.string().min(1)).optional(),
    overwrite: z.enum(['never', 'if-changed', 'always']).optional(),
  }),
]);

const ProgressSchema = z.object({
  phase: z.string(),
  filesDone: z.number(),
  filesTotal: z.number().optional(),
  bytesDone: z.number(),
  bytesTotal: z.number().optional(),
  rate: z.number().optional(),
  etaSeconds: z.number().optional(),
  currentPath: z.string().optional(),
});

export const JobInfoSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,80}$/),
  request: JobRequestSchema,
  repositoryIds: z.array(Id),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  queuedAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  progress: ProgressSchema.optional(),
  summary: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
  error: z.string().optional(),
  errorCode: z.string().optional(),
  snapshotIds: z.array(z.string()).optional(),
});

export const HISTORY_VERSION = 1;

export const HistoryFileSchema = z.object({
  version: z.literal(HISTORY_VERSION),
  /** Newest first. */
  entries: z.array(JobInfoSchema),
});

// Compile-time checks that the schemas and the contract agree (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const requestAgrees: Same<z.infer<typeof JobRequestSchema>, JobRequest> = true;
const infoFits: z.infer<typeof JobInfoSchema> extends Omit<JobInfo, 'errorCode'> ? true : false = true;
void requestAgrees;
void infoFits;
