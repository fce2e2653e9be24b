// `cairn serve`: the headless host. Wires the real services (profiles from the config folder,
// secrets, the job runner, the scheduler) into the API and serves it with the built UI over
// HTTP on loopback, until SIGINT or SIGTERM; then stops taking requests, stops the scheduler,
// cancels running jobs and exits 0. The services are built by src-main/host (shared with Electron).
import type { Command } from 'commander';
import path from 'node:path';
import { defaultCacheRoot } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';

interface ServeFlags {
  listen?: string;
  allowRemote?: boolean;
  ui?: string;
  allowPasswordFile?: boolean;
}

export function registerServe(program: Command, cli: () => Cli): void {
  program.command('serve')
    .description('serve the Cairn UI and its API over HTTP on this computer (prints the one URL to open)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1 and any free port)')
    .option('--allow-remote', 'allow --listen on an address other computers can reach (risky: see README)')
    .option('--ui <dir>', 'folder of the built UI (default dist-renderer in the Cairn folder)')
    .option('--allow-password-file', 'without a system keyring, keep passwords in a file only you can read in the config folder')
    .action(async (flags: ServeFlags) => {
      // The app's modules (API, jobs, keyring, file watching...) load only for this command: every
      // other command would otherwise pay for them at start-up (time and memory).
      const { startApp, packageRoot } = await import('../../host/index.ts');
      const { configDir } = await import('../../profiles/index.ts');
      const { checkListen, DEFAULT_LISTEN, isLoopback, parseListen, startServer } = await import('../../serve/index.ts');
      const c = cli();
      const listen = flags.listen !== undefined ? parseListen(flags.listen) : DEFAULT_LISTEN;
      // Refused before anything is opened: a mistyped address should cost nothing.
      checkListen(listen, flags.allowRemote === true);
      const cacheDir = c.globals.cache === false ? undefined : c.globals.cacheDir ?? defaultCacheRoot();
      // Notifications reach the UI as API events (the default): a browser tab has no tray.
      const app = await startApp({
        configDir: configDir(),
        cacheDir,
        allowPasswordFile: flags.allowPasswordFile === true,
        warn: (message) => c.warn(`Warning: ${message}`),
      });
      const api = app.api;

      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          api,
          listen,
          allowRemote: flags.allowRemote === true,
          uiDir: flags.ui !== undefined ? path.resolve(flags.ui) : path.join(packageRoot(), 'dist-renderer'),
        });
      } catch (err) {
        // The scheduler, watchers and keyring are already up: stop them, or the process would
        // stay alive after printing the error (seen with a port in use).
        await app.close();
        throw err;
      }
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
      await app.close();
    });
}
