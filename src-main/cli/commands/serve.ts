// `cairn serve`: the headless host. Wires the real services (profiles from the config folder,
// secrets, the job runner, the scheduler) into the API and serves it with the built UI over
// HTTP on loopback, until SIGINT or SIGTERM; then stops taking requests, stops the scheduler,
// cancels running jobs and exits 0.
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, defaultCacheRoot } from '../../../src-worker/index.ts';
import { createApiContext, type ApiContext } from '../../api/index.ts';
import { createJobService, runPlanJob, type JobService } from '../../jobs/index.ts';
import { configDir, ProfilesService, type Plan } from '../../profiles/index.ts';
import { FileSchedulerStore, Scheduler, systemClock } from '../../scheduler/index.ts';
import { openSecrets } from '../../secrets/index.ts';
import { WatchService, watchTrigger } from '../../watch/index.ts';
import { checkListen, DEFAULT_LISTEN, isLoopback, parseListen, startServer } from '../../serve/index.ts';
import type { Cli } from '../context.ts';

interface ServeFlags {
  listen?: string;
  allowRemote?: boolean;
  ui?: string;
  allowPasswordFile?: boolean;
}

/** The folder holding package.json, found from this file whether it runs from src or dist. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export function registerServe(program: Command, cli: () => Cli): void {
  program.command('serve')
    .description('serve the Cairn UI and its API over HTTP on this computer (prints the one URL to open)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1 and any free port)')
    .option('--allow-remote', 'allow --listen on an address other computers can reach (risky: see README)')
    .option('--ui <dir>', 'folder of the built UI (default dist-renderer in the Cairn folder)')
    .option('--allow-password-file', 'without a system keyring, keep passwords in a file only you can read in the config folder')
    .action(async (flags: ServeFlags) => {
      const c = cli();
      const listen = flags.listen !== undefined ? parseListen(flags.listen) : DEFAULT_LISTEN;
      // Refused before anything is opened: a mistyped address should cost nothing.
      checkListen(listen, flags.allowRemote === true);
      const dir = configDir();
      const { service: profiles, load } = await ProfilesService.open(dir);
      if (!load.ok) c.warn(`Warning: ${load.error.message}`);
      const secrets = await openSecrets({ configDir: dir, allowPasswordFile: flags.allowPasswordFile === true });
      if (secrets.state === 'file') c.warn(secrets.notice);
      if (secrets.state === 'unavailable') c.warn(`Warning: ${secrets.message}`);

      const cacheDir = c.globals.cache === false ? undefined : c.globals.cacheDir ?? defaultCacheRoot();
      // Without a keyring (and no opted-in password file) jobs still run; each one that needs a
      // password fails with the secrets module's message, which says what to do.
      const jobs: JobService = createJobService({
        profiles,
        ...(secrets.state === 'unavailable'
          ? { getPassword: async () => { throw new CairnError('KEYRING_UNAVAILABLE', secrets.message); } }
          : { secrets: secrets.store }),
        dataDir: dir,
        cacheDir: cacheDir ?? null,
        onProblem: (message) => c.warn(`Warning: ${message}`),
      });

      let api: ApiContext | undefined;
      const scheduler = new Scheduler<Plan>({
        clock: systemClock,
        store: new FileSchedulerStore(dir),
        runJob: runPlanJob(jobs),
        onEvent: (event) => api?.events.emit({ type: 'scheduler', event }),
      });
      // Watch mode (plans that opted in): the config and cache folders are ignored, since every
      // job writes its log there and would otherwise trigger the next backup.
      const watch = new WatchService({
        trigger: watchTrigger(jobs, (planId, message) => c.warn(`Warning: watch mode could not start a backup of plan ${planId}: ${message}`)),
        onFallback: (planId, message) => c.warn(`Warning: plan ${planId}: ${message}`),
        repository: (id) => profiles.repository(id),
        ignorePaths: [dir, ...(cacheDir ? [cacheDir] : [])],
      });
      api = createApiContext({
        profiles,
        secrets,
        jobs,
        scheduler,
        cacheDir,
        onProfilesChanged: () => {
          scheduler.setPlans(profiles.profiles.plans);
          void watch.update(profiles.profiles.plans);
        },
      });
      await scheduler.start(profiles.profiles.plans);
      await watch.update(profiles.profiles.plans);

      const server = await startServer({
        api,
        listen,
        allowRemote: flags.allowRemote === true,
        uiDir: flags.ui !== undefined ? path.resolve(flags.ui) : path.join(packageRoot(), 'dist-renderer'),
      });
      if (!isLoopback(listen.host)) {
        c.warn(`Warning: listening on ${listen.host}: anyone who can reach this address and learns the token can read and restore your backups and change your plans. Traffic is not encrypted: use it only on a network you trust, or behind an HTTPS proxy.`);
      }
      // The one line on stdout: scripts read it, people open it.
      c.output(server.url);

      c.stopsOnSignal = true;
      await new Promise<void>((resolve) => {
        if (c.signal.aborted) resolve();
        else c.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await server.close();
      await scheduler.stop();
      await watch.close();
      await jobs.close();
      await api.close();
    });
}
