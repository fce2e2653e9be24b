// What the API's handlers work with: the application's real services, injected by the host
// (`cairn serve`, the Electron main process, or a test). Nothing here knows about HTTP or IPC.
import { CairnError } from '../../src-worker/index.ts';
import type { JobService } from '../jobs/types.ts';
import type { ProfilesService } from '../profiles/index.ts';
import type { PlanStatus } from '../scheduler/index.ts';
import type { SecretsState } from '../secrets/index.ts';
import { EventHub } from './events.ts';
import { systemOpener, type FolderOpener } from './open-folder.ts';
import { SecretsAccess } from './secrets-access.ts';
import { RepositorySessions } from './sessions.ts';

/** The part of the Scheduler the API drives (the Scheduler class has this shape). */
export interface SchedulerControl {
  statuses(): PlanStatus[];
  readonly pausedUntil: number | undefined;
  pauseUntil(until: number): void;
  resume(): void;
  pausePlan(planId: string, until: number): void;
  resumePlan(planId: string): void;
}

/** Starting the app at login, where the host can (the desktop app); see src-main/electron/autostart.ts. */
export interface AutostartControl {
  get(): Promise<boolean>;
  set(enabled: boolean): Promise<void>;
}

export interface ApiDeps {
  profiles: ProfilesService;
  secrets: SecretsState;
  /** The job runner; a CairnError when this host has none (its message says why). */
  jobs: JobService | CairnError;
  scheduler?: SchedulerControl;
  /** The engine's metadata cache folder for browsing; none when omitted. */
  cacheDir?: string;
  /** Told after repositories or plans changed (the host gives the scheduler the new plans). */
  onProfilesChanged?: () => void;
  /** Start at login; absent on hosts that cannot (`cairn serve`). */
  autostart?: AutostartControl;
  /** Opens a folder in the OS file manager ("Show in folder"); the platform's opener when omitted. */
  openFolder?: FolderOpener;
}

export interface ApiContext {
  readonly profiles: ProfilesService;
  readonly secrets: SecretsAccess;
  readonly scheduler?: SchedulerControl;
  readonly events: EventHub;
  readonly repositories: RepositorySessions;
  readonly autostart?: AutostartControl;
  /** The job service, or the CairnError saying why there is none. */
  jobs(): JobService;
  profilesChanged(): void;
  /** Opens a folder in the OS file manager. */
  readonly openFolder: FolderOpener;
  /** Stops listening to the job service and closes open repositories. */
  close(): Promise<void>;
}

export function createApiContext(deps: ApiDeps): ApiContext {
  const events = new EventHub();
  const secrets = new SecretsAccess(deps.secrets);
  const repositories = new RepositorySessions(deps.profiles, secrets, { cacheDir: deps.cacheDir });
  const jobs = deps.jobs;
  let unsubscribe = () => {};
  if (!(jobs instanceof CairnError)) {
    const off = jobs.subscribe((e) => {
      // A finished job may have written to its repositories: browse them afresh afterwards.
      if (e.type === 'job-finished') for (const id of e.job.repositoryIds) void repositories.drop(id);
      events.emit(e);
    });
    unsubscribe = off;
  }
  return {
    profiles: deps.profiles,
    secrets,
    scheduler: deps.scheduler,
    events,
    repositories,
    autostart: deps.autostart,
    jobs() {
      if (jobs instanceof CairnError) throw jobs;
      return jobs;
    },
    profilesChanged() {
      deps.onProfilesChanged?.();
      events.emit({ type: 'profiles-changed' });
    },
    openFolder: deps.openFolder ?? systemOpener(),
    async close() {
      unsubscribe();
      await repositories.close();
    },
  };
}
