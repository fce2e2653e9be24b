// The scheduler's memory on disk: scheduler-state.json beside profiles.json. Losing it is not a
// disaster (plans run once at the next start and "overdue" restarts counting), so an unreadable
// file is replaced by an empty state instead of stopping the app, and the caller is told.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.ts';
import { emptySchedulerState, SchedulerStateSchema, type SchedulerState, type SchedulerStore } from './state.ts';

export const STATE_FILE = 'scheduler-state.json';

export class FileSchedulerStore implements SchedulerStore {
  readonly file: string;
  /** Set when load() found a file it could not use; the host shows it once. */
  problem: string | undefined;

  constructor(configDir: string) {
    this.file = path.join(configDir, STATE_FILE);
  }

  async load(): Promise<SchedulerState> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptySchedulerState();
      throw err;
    }
    try {
      return SchedulerStateSchema.parse(JSON.parse(text));
    } catch {
      this.problem = `${this.file} could not be read; the schedule history starts afresh (every plan runs once now)`;
      return emptySchedulerState();
    }
  }

  async save(state: SchedulerState): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(state) + '\n', 0o600);
  }
}
