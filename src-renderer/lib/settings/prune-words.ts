// A forget-and-prune job's summary in a sentence. The generic list of numbers ("Snapshots
// removed: 9") reads as done even for the preview, which removed nothing: the preview says
// "would", the real run says what it did.
import { bytes } from '../format.ts';

type Summary = Record<string, number | string | boolean | null> | undefined;

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const snapshots = (k: number) => `${k.toLocaleString()} ${k === 1 ? 'snapshot' : 'snapshots'}`;

export function pruneInWords(summary: Summary, dryRun: boolean): string {
  const removed = n(summary?.snapshotsRemoved);
  // No "snapshotsKept" at all: the plan has no retention rules, so forget did not run.
  if (summary?.snapshotsKept === undefined) return 'The plan has no retention rules, so no snapshot is removed. Set them under Retention.';
  const kept = n(summary.snapshotsKept);
  if (removed === 0) return `The retention rules keep ${kept === 1 ? 'the only snapshot' : `all ${snapshots(kept)}`}: nothing ${dryRun ? 'would be' : 'was'} removed or pruned.`;
  const packs = n(summary.prunePacksDeleted);
  const freed = `${bytes(n(summary.pruneBytesFreed))} (${packs.toLocaleString()} pack ${packs === 1 ? 'file' : 'files'} deleted or rewritten)`;
  return dryRun
    ? `Would remove ${snapshots(removed)} and keep ${kept.toLocaleString()}; pruning would then free ${freed}. Nothing was changed.`
    : `Removed ${snapshots(removed)} and kept ${kept.toLocaleString()}; pruning freed ${freed}.`;
}
