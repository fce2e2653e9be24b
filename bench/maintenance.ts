// Maintenance phases of `npm run bench`, run on the repositories the backup phases left (three
// snapshots each): seven more backups, each after a 10% mutation, make ten; then both tools forget
// the older half (--keep-last 5), prune, and check --read-data. The extra backups are not timed.
import { execFileSync } from 'node:child_process';

export interface MaintenanceStep {
  phase: string;
  argv: string[];
  /** Measure the repository's size after this step. */
  size?: boolean;
}

/** Brings each repository to ten snapshots on identical data. */
export function addSnapshots(makeDataset: string, data: string, backup: () => void, total = 10, already = 3): void {
  for (let i = already; i < total; i++) {
    execFileSync(process.execPath, [makeDataset, data, '--mutate', '--percent', '10'], { encoding: 'utf8' });
    backup();
  }
}

export const MAINTENANCE_STEPS: MaintenanceStep[] = [
  // The size after forget is each repository's size before prune: prune's result compares only with it.
  { phase: 'forget 5 of 10', argv: ['forget', '--keep-last', '5', '-q'], size: true },
  { phase: 'prune', argv: ['prune', '-q'], size: true },
  { phase: 'check --read-data', argv: ['check', '--read-data', '-q'] },
];
