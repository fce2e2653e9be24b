// Everything the first-run wizard collects, in one object the steps bind to, and the work of its
// last step: create the repositories and the plan, start the first backup. Ids of what was
// already created are kept, so "try again" after a failure does not create things twice.
import { call, type ExcludePresetId } from '../api/index.ts';
import { emptyStorage, storageCredentials, storageName, storageOptions, toLocation, type StorageFields } from './location.ts';
import { cleanList, RETENTION_PRESETS, toSchedule, type RetentionChoice, type ScheduleChoice } from './plan-choices.ts';

export type RepoMode = 'create' | 'open';

export class WizardDraft {
  storage = $state<StorageFields>(emptyStorage());
  /** Set by a successful connection test of exactly `testedLocation`. */
  mode = $state<RepoMode | null>(null);
  testedLocation = $state('');

  password = $state('');
  passwordRepeat = $state('');
  lostPasswordUnderstood = $state(false);
  /** Open mode: the password was checked against the repository. */
  passwordAccepted = $state(false);
  /** Saved in the keyring (scheduled backups need it); false: kept only while Cairn runs. */
  rememberPassword = $state(true);

  sources = $state<string[]>(['']);
  /** Folders the size estimate found missing or unreadable (path → reason), kept by the sources step. */
  sourceProblems = $state<{ path: string; message: string }[]>([]);
  excludePresets = $state<ExcludePresetId[]>(['caches', 'trash']);

  scheduleChoice = $state<ScheduleChoice>('daily');
  dailyAt = $state('12:00');
  cron = $state('0 */4 * * *');
  cronValid = $state(true);
  /** Unused by the wizard (it offers no other interval than hourly); part of the schedule fields. */
  minutes = $state(60);

  retentionChoice = $state<RetentionChoice>('standard');

  offsiteEnabled = $state(false);
  offsite = $state<StorageFields>({ ...emptyStorage(), kind: 'sftp' });
  offsiteMode = $state<RepoMode | null>(null);
  offsiteTestedLocation = $state('');
  offsiteSamePassword = $state(true);
  offsitePassword = $state('');
  offsitePasswordAccepted = $state(false);

  planName = $state('My files');

  created = $state<{ repositoryId?: string; offsiteRepositoryId?: string; planId?: string }>({});

  get location(): string {
    return toLocation(this.storage);
  }

  get offsitePasswordToUse(): string {
    return this.offsiteSamePassword ? this.password : this.offsitePassword;
  }

  get cleanSources(): string[] {
    return cleanList(this.sources);
  }

  /** Runs the summary's "Start first backup"; `onStage` names each step as it begins. */
  async finish(onStage: (text: string) => void): Promise<string> {
    if (!this.created.repositoryId) {
      onStage(this.mode === 'create' ? 'Creating the repository…' : 'Adding the repository…');
      const repo = await call('repositories.create', {
        name: storageName(this.storage),
        location: this.location,
        options: storageOptions(this.storage),
        credentials: storageCredentials(this.storage),
        password: this.password,
        rememberPassword: this.rememberPassword,
        init: this.mode === 'create',
      });
      this.created.repositoryId = repo.id;
    }
    if (this.offsiteEnabled && !this.created.offsiteRepositoryId) {
      onStage(this.offsiteMode === 'create' ? 'Creating the offsite repository…' : 'Adding the offsite repository…');
      const repo = await call('repositories.create', {
        name: storageName(this.offsite),
        location: toLocation(this.offsite),
        options: storageOptions(this.offsite),
        credentials: storageCredentials(this.offsite),
        password: this.offsitePasswordToUse,
        rememberPassword: this.rememberPassword,
        init: this.offsiteMode === 'create',
      });
      this.created.offsiteRepositoryId = repo.id;
    }
    if (!this.created.planId) {
      onStage('Saving the backup plan…');
      const plan = await call('plans.create', {
        name: this.planName.trim(),
        repositoryId: this.created.repositoryId as string,
        sources: this.cleanSources,
        excludePresets: this.excludePresets,
        schedule: toSchedule(this.scheduleChoice, this.dailyAt, this.cron),
        retention: RETENTION_PRESETS[this.retentionChoice].retention,
        ...(this.created.offsiteRepositoryId ? { copyToRepositoryId: this.created.offsiteRepositoryId } : {}),
      });
      this.created.planId = plan.id;
    }
    onStage('Starting the first backup…');
    await call('jobs.start', { kind: 'backup', planId: this.created.planId, reason: 'manual' });
    return this.created.planId;
  }
}
