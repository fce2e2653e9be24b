// The app's connection to its host and what the host told about itself. `start` wires the event
// stream into the other stores once, for the whole app.
import { call, subscribe, type AppInfo } from '../api/index.ts';
import { jobs } from './jobs.svelte.ts';
import { profiles } from './profiles.svelte.ts';
import { scheduler } from './scheduler.svelte.ts';

class AppStore {
  info = $state<AppInfo | null>(null);
  /** False while the event stream is down: the UI says so instead of showing stale numbers as live. */
  connected = $state(true);
  /** Bumped on every finished job, so views that fetch per-repository data know to fetch again. */
  jobsFinished = $state(0);

  async start(): Promise<void> {
    subscribe((e) => {
      jobs.apply(e);
      if (e.type === 'profiles-changed') void profiles.refresh();
      if (e.type === 'scheduler') void scheduler.refresh();
      if (e.type === 'job-finished') {
        this.jobsFinished++;
        void scheduler.refresh();
      }
    }, (up) => {
      const wasDown = !this.connected;
      this.connected = up;
      if (up && wasDown) void this.reload();
    });
    await this.reload();
  }

  private async reload(): Promise<void> {
    await Promise.all([
      call('app.info', {}).then((i) => { this.info = i; }),
      profiles.refresh(),
      scheduler.refresh(),
      jobs.refresh(),
    ]);
  }
}

export const app = new AppStore();
