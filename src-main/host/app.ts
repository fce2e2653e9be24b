// The running application, built in one place for every host (`cairn serve`, the Electron main
// process, end-to-end tests): profiles from the config folder, secrets, the job runner, the
// scheduler (which starts backups through the job runner), watch mode, the API context, the tray
// state and notifications. A host adds only its transport (HTTP, IPC) and its desktop glue.
import { CairnError } from '../../src-worker/index.ts';
import { createApiContext, type ApiContext, type AutostartControl } from '../api/index.ts';
import { createJobService, runPlanJob, type JobService } from '../jobs/index.ts';
import { NotificationService, wanted, type CairnNotification } from '../notify/index.ts';
import type { PlanEnvironment } from '../profiles/plan-options.ts';
import { ProfilesService, type Plan } from '../profiles/index.ts';
import { FileSchedulerStore, Scheduler, systemClock, type Clock } from '../scheduler/index.ts';
import { openSecrets, withSessionSecrets, type SecretsState } from '../secrets/index.ts';
import { TrayState, type TrayAction, type TrayModel } from '../tray/index.ts';
import { WatchService, watchTrigger } from '../watch/index.ts';

export interface AppOptions {
  configDir: string;
  /** The engine's metadata cache; undefined for none. */
  cacheDir: string | undefined;
  /** Without a keyring, keep passwords in a 0600 file in the config folder (the user opted in). */
  allowPasswordFile: boolean;
  /** Where secrets live, decided by the caller (tests); default: openSecrets. */
  secrets?: SecretsState;
  /** Problems the user should see that belong to no request (an unreadable profiles file …). */
  warn: (message: string) => void;
  /**
   * Shows a notification. Default: an API event ({ type: 'notification' }) for the UI to show,
   * which is what a host without native notifications wants.
   */
  deliverNotification?: (n: CairnNotification, api: ApiContext) => void;
  /** Start at login, when the host can do it (the desktop app); `cairn serve` cannot. */
  autostart?: AutostartControl;
  /** Told each new tray model (rate-limited). */
  onTrayModel?: (model: TrayModel) => void;
  clock?: Clock;
  /** Home folder, host name and platform for plans (tests pin them). */
  environment?: PlanEnvironment;
  /** Scheduler tuning (tests). */
  scheduler?: { heartbeatMs?: number; retryBaseMs?: number };
  timeZone?: string;
}

export interface CairnApp {
  readonly profiles: ProfilesService;
  readonly secrets: SecretsState;
  readonly jobs: JobService;
  readonly scheduler: Scheduler<Plan>;
  readonly watch: WatchService;
  readonly api: ApiContext;
  readonly tray: TrayState;
  readonly notifications: NotificationService;
  /**
   * Carries out a tray menu action that the app itself handles (back up now, pause, resume);
   * false for the ones only the shell can do ('open', 'quit').
   */
  trayAction(action: TrayAction): boolean;
  /** Stops the scheduler and watchers, cancels running jobs, closes repositories. */
  close(): Promise<void>;
}

export async function startApp(options: AppOptions): Promise<CairnApp> {
  const dir = options.configDir;
  const clock = options.clock ?? systemClock;
  const { service: profiles, load, settingsWarning } = await ProfilesService.open(dir);
  if (!load.ok) options.warn(load.error.message);
  if (settingsWarning) options.warn(settingsWarning);
  const secrets = withSessionSecrets(options.secrets ?? await openSecrets({ configDir: dir, allowPasswordFile: options.allowPasswordFile }));
  if (secrets.state === 'file') options.warn(secrets.notice);
  if (secrets.state === 'unavailable') options.warn(secrets.message);
  if (secrets.state === 'session') options.warn(`${secrets.message}; until then, passwords typed into Cairn are kept only while it runs`);

  // Without a keyring (and no opted-in password file) jobs still run; each one that needs a
  // password fails with the secrets module's message, which says what to do.
  const jobs: JobService = createJobService({
    profiles,
    ...(secrets.state === 'unavailable'
      ? { getPassword: async () => { throw new CairnError('KEYRING_UNAVAILABLE', secrets.message); } }
      : { secrets: secrets.store }),
    dataDir: dir,
    cacheDir: options.cacheDir ?? null,
    clock,
    ...(options.environment ? { environment: options.environment } : {}),
    onProblem: options.warn,
  });

  // The scheduler reports through the API's event hub, which exists only after the scheduler
  // (the API context needs it): events before that moment have no listener anyway.
  let api: ApiContext | undefined;
  const scheduler = new Scheduler<Plan>({
    clock,
    store: new FileSchedulerStore(dir),
    runJob: runPlanJob(jobs),
    onEvent: (event) => api?.events.emit({ type: 'scheduler', event }),
    timezone: options.timeZone,
    ...options.scheduler,
  });
  // Watch mode (plans that opted in): the config and cache folders are ignored, since every job
  // writes its log there and would otherwise trigger the next backup.
  const watch = new WatchService({
    trigger: watchTrigger(jobs, (planId, message) => options.warn(`watch mode could not start a backup of plan ${planId}: ${message}`)),
    onFallback: (planId, message) => options.warn(`plan ${planId}: ${message}`),
    repository: (id) => profiles.repository(id),
    ignorePaths: [dir, ...(options.cacheDir ? [options.cacheDir] : [])],
    clock,
    ...(options.environment ? { environment: options.environment } : {}),
  });
  const ctx = createApiContext({
    profiles,
    secrets,
    jobs,
    scheduler,
    cacheDir: options.cacheDir,
    autostart: options.autostart,
    onProfilesChanged: () => {
      scheduler.setPlans(profiles.profiles.plans);
      void watch.update(profiles.profiles.plans).catch((err: unknown) => options.warn(`watch mode: ${(err as Error).message}`));
    },
  });
  api = ctx;

  const tray = new TrayState({
    clock,
    timeZone: options.timeZone,
    sources: {
      plans: () => profiles.profiles.plans,
      statuses: () => scheduler.statuses(),
      pausedUntil: () => scheduler.pausedUntil,
    },
    onModel: (m) => options.onTrayModel?.(m),
  });
  const deliver = options.deliverNotification ?? ((n: CairnNotification, a: ApiContext) => a.events.emit({ type: 'notification', notification: n }));
  const notifications = new NotificationService({
    clock,
    events: ctx.events,
    jobs,
    planName: (id) => profiles.plan(id)?.name,
    statuses: () => scheduler.statuses(),
    deliver: (n) => deliver(n, ctx),
    wants: (n) => wanted(n, profiles.appSettings.notifications),
    onProblem: options.warn,
  });
  const offTray = ctx.events.subscribe((e) => tray.handle(e));

  await scheduler.start(profiles.profiles.plans);
  await watch.update(profiles.profiles.plans);
  await seedTray(tray, jobs, profiles.profiles.plans, options.warn);

  return {
    profiles, secrets, jobs, scheduler, watch, api: ctx, tray, notifications,
    trayAction(action) {
      switch (action.type) {
        case 'backup-now':
          scheduler.runNow(action.planId);
          return true;
        case 'pause':
          scheduler.pauseUntil(action.until);
          return true;
        case 'resume':
          scheduler.resume();
          return true;
        case 'open':
        case 'quit':
          return false;
      }
    },
    async close() {
      offTray();
      tray.close();
      notifications.close();
      // Stop starting new work first, then cancel what runs: the scheduler's stop waits for the
      // jobs it started, which end only once the job service cancels them.
      const stopping = scheduler.stop();
      await watch.close();
      await jobs.close();
      await stopping;
      await notifications.settled();
      await ctx.close();
    },
  };
}

/** The tray says "Last backup 2 days ago" from the first moment, not only after the next run. */
async function seedTray(tray: TrayState, jobs: JobService, plans: readonly Plan[], warn: (m: string) => void): Promise<void> {
  for (const plan of plans) {
    try {
      const last = (await jobs.history({ planId: plan.id, limit: 20 }))
        .find((j) => j.request.kind === 'backup' && (j.state === 'succeeded' || j.state === 'failed') && j.finishedAt !== undefined);
      if (last) tray.seed(plan.id, { at: last.finishedAt!, result: last.state === 'succeeded' ? 'success' : 'failure', error: last.error });
    } catch (err) {
      warn(`the history of plan ${plan.id} could not be read: ${(err as Error).message}`);
    }
  }
}
