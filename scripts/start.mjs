#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed; otherwise `cairn serve` and the
// browser opened at its URL. Says which it chose and why. Arguments after `npm start --` go to
// the app (e.g. --allow-password-file).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** Electron's executable, or the reason there is none. The package exports the binary's path
 *  as a string, and throws when its download step never ran (as with npm's scripts disabled). */
function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    if (typeof bin !== 'string') return { reason: 'the electron package did not give a path (run this with node, not inside Electron)' };
    if (!fs.existsSync(bin)) return { reason: `its binary ${bin} is missing` };
    return { bin };
  } catch (err) {
    // Electron's own message says to reinstall, which does not help where npm runs no install
    // scripts: name the step that downloads the binary instead.
    return { reason: err.code === 'MODULE_NOT_FOUND' ? 'the electron package is not installed' : 'its binary is not downloaded (run `node node_modules/electron/install.js` where the network allows it)' };
  }
}

function openBrowser(url) {
  const [cmd, cmdArgs] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  const child = spawn(cmd, cmdArgs, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`start: could not open a browser (${cmd}); open ${url} yourself`));
  child.unref();
}

function forwardSignals(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (!fs.existsSync(path.join(root, 'dist', 'src-main', 'cli', 'main.js'))) {
  console.error('start: Cairn is not built yet: run `npm run build` first');
  process.exit(1);
}

const electron = electronBinary();
if (electron.bin) {
  console.error(`start: starting the desktop app (Electron at ${electron.bin})`);
  forwardSignals(spawn(electron.bin, [root, ...args], { stdio: 'inherit' }));
} else {
  console.error(`start: Electron cannot run here: ${electron.reason}. Starting \`cairn serve\` and opening the UI in your browser instead.`);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'cairn.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  forwardSignals(child);
  let buffered = '';
  let opened = false;
  child.stdout.setEncoding('utf8').on('data', (text) => {
    process.stdout.write(text);
    if (opened) return;
    buffered += text;
    const line = buffered.split('\n');
    if (line.length > 1) {
      opened = true;
      openBrowser(line[0].trim());
    }
  });
}
