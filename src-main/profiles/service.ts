// The profiles as the running app holds them: loaded once, changed through the pure functions in
// crud.ts, written atomically after each change. Changes are serialized, so two quick edits from
// the UI cannot interleave their read-modify-write and lose one.
import { CairnError } from '../../src-worker/index.ts';
import { loadAppSettings, NotificationChoicesSchema, saveAppSettings, type AppSettings, type NotificationChoices } from './app-settings.ts';
import * as crud from './crud.ts';
import { emptyProfiles, type Plan, type PlanInput, type Profiles, type RepositoryInput, type RepositoryProfile } from './schema.ts';
import { loadProfiles, saveProfiles, type LoadResult, type StoreOptions } from './store.ts';

export class ProfilesService {
  readonly dir: string;
  private current: Profiles;
  private settings: AppSettings;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, profiles: Profiles, settings: AppSettings) {
    this.dir = dir;
    this.current = profiles;
    this.settings = settings;
  }

  /**
   * Opens the profiles in `dir`. An unusable file is moved aside by loadProfiles; then the service
   * starts empty and `load` tells the caller (who must show the user `load.error.message`).
   */
  static async open(dir: string, options: StoreOptions = {}): Promise<{ service: ProfilesService; load: LoadResult; settingsWarning?: string }> {
    const load = await loadProfiles(dir, options);
    const settings = await loadAppSettings(dir, options.now);
    const service = new ProfilesService(dir, load.ok ? load.profiles : emptyProfiles(), settings.settings);
    return { service, load, ...(settings.warning ? { settingsWarning: settings.warning } : {}) };
  }

  get profiles(): Profiles {
    return this.current;
  }

  /** The app's preferences (settings.json), separate from the plans. */
  get appSettings(): AppSettings {
    return this.settings;
  }

  /** Changes the notification choices given; the others stay. Saved before it takes effect. */
  updateNotifications(changes: Partial<NotificationChoices>): Promise<AppSettings> {
    const run = async (): Promise<AppSettings> => {
      const next: AppSettings = { ...this.settings, notifications: NotificationChoicesSchema.parse({ ...this.settings.notifications, ...changes }) };
      await saveAppSettings(this.dir, next);
      this.settings = next;
      return next;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  repository(id: string): RepositoryProfile | undefined {
    return this.current.repositories.find((r) => r.id === id);
  }

  plan(id: string): Plan | undefined {
    return this.current.plans.find((p) => p.id === id);
  }

  addRepository(input: Omit<RepositoryInput, 'id'> & { id?: string }): Promise<RepositoryProfile> {
    return this.change((p) => {
      const r = crud.addRepository(p, input);
      return [r.profiles, r.repository];
    });
  }

  updateRepository(id: string, changes: Partial<Omit<RepositoryInput, 'id'>>): Promise<void> {
    return this.change((p) => [crud.updateRepository(p, id, changes), undefined]);
  }

  removeRepository(id: string): Promise<void> {
    return this.change((p) => [crud.removeRepository(p, id), undefined]);
  }

  addPlan(input: Omit<PlanInput, 'id'> & { id?: string }): Promise<Plan> {
    return this.change((p) => {
      const r = crud.addPlan(p, input);
      return [r.profiles, r.plan];
    });
  }

  updatePlan(id: string, changes: Partial<Omit<PlanInput, 'id'>>): Promise<void> {
    return this.change((p) => [crud.updatePlan(p, id, changes), undefined]);
  }

  removePlan(id: string): Promise<void> {
    return this.change((p) => [crud.removePlan(p, id), undefined]);
  }

  private change<T>(fn: (p: Profiles) => [Profiles, T]): Promise<T> {
    const run = async (): Promise<T> => {
      const [next, result] = fn(this.current);
      try {
        await saveProfiles(this.dir, next);
      } catch (err) {
        if (err instanceof CairnError) throw err;
        throw new CairnError('PERMISSION_DENIED', `cannot save the profiles in ${this.dir}: ${(err as Error).message}`, { cause: err });
      }
      // Only after the file is safely on disk: a failed write leaves the app showing what is saved.
      this.current = next;
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }
}
