// The scheduler's runJob(plan): start a backup job for the plan and report how it ended.
import type { JobResult } from '../scheduler/index.ts';
import type { JobRequest, JobService } from './types.ts';

type BackupReason = Extract<JobRequest, { kind: 'backup' }>['reason'];

export function runPlanJob(service: JobService, reason: BackupReason = 'scheduled'): (plan: { id: string }) => Promise<JobResult> {
  return async (plan) => {
    try {
      const job = await service.start({ kind: 'backup', planId: plan.id, reason });
      const end = await service.wait(job.id);
      if (end.state === 'succeeded') return { ok: true };
      return { ok: false, error: end.error ?? end.state };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
}
