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
import type { JobService } from '../../jobs/types.ts';
import { configDir, ProfilesService, type Plan } from '../../profiles/index.ts';
import { FileSchedulerStore, Scheduler, systemClock } from '../../scheduler/index.ts';
import { openSecrets, type SecretsState } from '../../secrets/index.ts';
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

/** The job runner for this host. */
function createJobService(_deps: { profiles: ProfilesService; secrets: SecretsState }): JobService {
  throw new CairnError('INTERNAL', 'jobs are unavailable in this build of cairn serve (no job runner is wired in): backups, restores and checks cannot start; browsing and settings work'); // INTEGRATE: job service
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

      let jobs: JobService | CairnError;
      try {
        jobs = createJobService({ profiles, secrets });
      } catch (err) {
        if (!(err instanceof CairnError)) throw err;
        jobs = err;
        c.warn(`Warning: ${err.message}`);
      }

      let api: ApiContext | undefined;
      // Without a job runner there is nothing a scheduler could start: none is run then.
      const scheduler = jobs instanceof CairnError ? undefined : new Scheduler<Plan>({
        clock: systemClock,
        store: new FileSchedulerStore(dir),
        runJob: async (plan) => {
          const runner = jobs as JobService;
          const started = await runner.start({ kind: 'backup', planId: plan.id, reason: 'scheduled' });
          const done = await runner.wait(started.id);
          return done.state === 'succeeded' ? { ok: true } : { ok: false, error: done.error ?? `the backup ended ${done.state}` };
        },
        onEvent: (event) => api?.events.emit({ type: 'scheduler', event }),
      });
      api = createApiContext({
        profiles,
        secrets,
        jobs,
        scheduler,
        cacheDir: c.globals.cache === false ? undefined : c.globals.cacheDir ?? defaultCacheRoot(),
        onProfilesChanged: () => scheduler?.setPlans(profiles.profiles.plans),
      });
      await scheduler?.start(profiles.profiles.plans);

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
      await scheduler?.stop();
      if (!(jobs instanceof CairnError)) await jobs.close();
      await api.close();
    });
}
