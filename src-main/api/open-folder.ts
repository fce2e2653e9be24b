// Opening a folder in the OS file manager, for `cairn serve`'s "Show in folder" (the server runs
// on the user's machine; the desktop app uses Electron's shell instead). The program is the
// platform's opener, run without a shell, the folder its only argument; CAIRN_FILE_MANAGER names
// another program (a user's choice, or a test's recorder at the OS boundary).
import { spawn } from 'node:child_process';
import { CairnError } from '../../src-worker/index.ts';

export type FolderOpener = (dir: string) => Promise<void>;

export function openerCommand(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CAIRN_FILE_MANAGER) return env.CAIRN_FILE_MANAGER;
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer.exe';
  return 'xdg-open';
}

/** Starts the opener on `dir` and resolves once it is running (it is not waited for). */
export function systemOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): FolderOpener {
  const command = openerCommand(env, platform);
  return (dir) => new Promise<void>((resolve, reject) => {
    const child = spawn(command, [dir], { detached: true, stdio: 'ignore', shell: false });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(new CairnError('INTERNAL', `could not start ${command} to show ${dir} (${err.code ?? err.message}): open the folder in your file manager yourself`, { cause: err }));
    });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
