// ARCHITECTURE.md's import rule, enforced: the engine (src-worker) imports nothing from the
// application or the UI; the application reaches the engine only through src-worker/index.ts;
// electron is imported only under src-main/electron; the renderer imports no runtime code from
// the other layers (types only).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'build' || e.name === 'assembly' || e.name === 'dist') continue;
      out.push(...sourceFiles(rel));
    } else if (/\.(ts|mts|cts|js|mjs|cjs|svelte)$/.test(e.name)) {
      out.push(rel);
    }
  }
  return out;
}

interface Import { specifier: string; typeOnly: boolean }

export function importsOf(text: string): Import[] {
  const found: Import[] = [];
  // require() too: the sandboxed preload is CommonJS and loads electron that way.
  const re = /(?:^|[;\s])(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const specifier = m[3] ?? m[4] ?? m[5] ?? m[6];
    found.push({ specifier, typeOnly: Boolean(m[2]) });
  }
  return found;
}

function resolveLayer(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.normalize(path.join(path.dirname(from), specifier));
  return target.split(path.sep)[0];
}

function violations(): string[] {
  const bad: string[] = [];
  for (const file of [...sourceFiles('src-worker'), ...sourceFiles('src-main'), ...sourceFiles('src-renderer')]) {
    const layer = file.split(path.sep)[0];
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const imp of importsOf(text)) {
      const targetLayer = resolveLayer(file, imp.specifier);
      const target = targetLayer ? path.normalize(path.join(path.dirname(file), imp.specifier)) : '';
      if (imp.specifier === 'electron' || imp.specifier.startsWith('electron/')) {
        if (!file.startsWith(path.join('src-main', 'electron') + path.sep)) bad.push(`${file} imports electron (only src-main/electron may)`);
      }
      if (layer === 'src-worker' && targetLayer && targetLayer !== 'src-worker') bad.push(`${file} (engine) imports ${imp.specifier}`);
      if (layer === 'src-main' && targetLayer === 'src-worker' && target !== path.join('src-worker', 'index.ts')) {
        bad.push(`${file} imports ${imp.specifier}: the application may use the engine only through src-worker/index.ts`);
      }
      if (layer === 'src-main' && targetLayer === 'src-renderer') bad.push(`${file} imports the renderer (${imp.specifier})`);
      if (layer === 'src-renderer' && (targetLayer === 'src-worker' || targetLayer === 'src-main') && !imp.typeOnly) {
        bad.push(`${file} imports ${imp.specifier} at run time: the renderer may import only types from other layers`);
      }
      bad.push(...rendererRules(file, imp, targetLayer ? target : null));
      bad.push(...appRules(file, imp));
    }
  }
  return bad;
}

/**
 * The renderer knows the API contract and nothing else (ARCHITECTURE.md): its only import from
 * the other layers is src-main/api/contract.ts, as types; it runs sandboxed in a browser or an
 * Electron renderer, so no Node built-in either (vite.config.ts runs in Node at build time only).
 */
function rendererRules(file: string, imp: Import, target: string | null): string[] {
  if (!file.startsWith('src-renderer' + path.sep) || file === path.join('src-renderer', 'vite.config.ts')) return [];
  const bad: string[] = [];
  if (target !== null && !target.startsWith('src-renderer' + path.sep) && target !== path.join('src-main', 'api', 'contract.ts')) {
    bad.push(`${file} imports ${imp.specifier}: the renderer may import only the API contract's types (src-main/api/contract.ts)`);
  }
  if (imp.specifier.startsWith('node:') && !imp.typeOnly) bad.push(`${file} imports ${imp.specifier}: the renderer runs in a browser sandbox, without Node`);
  return bad;
}

const inFolder = (file: string, dir: string) => file.startsWith(path.join(...dir.split('/')) + path.sep);

/** Rules inside src-main, one job per folder. */
function appRules(file: string, imp: Import): string[] {
  const bad: string[] = [];
  // Secrets reach the OS keyring in one place only, so "no secret elsewhere" stays checkable.
  if (imp.specifier.startsWith('@napi-rs/keyring') && !inFolder(file, 'src-main/secrets')) bad.push(`${file} imports the keyring (only src-main/secrets may)`);
  // The tray model is a pure function of state: no I/O, no engine.
  if (inFolder(file, 'src-main/tray') && (imp.specifier.startsWith('node:') || resolveLayer(file, imp.specifier) === 'src-worker')) {
    bad.push(`${file} imports ${imp.specifier}: the tray model is pure (state in, menu out)`);
  }
  // The scheduler calls an injected runJob and does not know the engine's operations; it may use
  // the engine's index only for CairnError.
  if (inFolder(file, 'src-main/scheduler') && resolveLayer(file, imp.specifier) === 'src-worker') {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const names = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"][^'"]*src-worker\/index\.ts['"]/g)].flatMap((m) => m[1].split(',').map((n) => n.trim().replace(/^type\s+/, '')));
    const allowed = new Set(['CairnError', 'isCairnError', 'ErrorCode', '']);
    for (const n of names) if (!allowed.has(n)) bad.push(`${file} imports ${n} from the engine: the scheduler only calls the injected runJob`);
  }
  // File watching lives in src-main/watch only, so the number of OS watches is decided in one place.
  if (imp.specifier === 'chokidar' && !inFolder(file, 'src-main/watch')) bad.push(`${file} imports chokidar (only src-main/watch may)`);
  // Watch mode starts backups through an injected trigger and the jobs contract, never the runner itself.
  if (inFolder(file, 'src-main/watch') && /\/jobs\/(service|ops|repositories)/.test(imp.specifier)) {
    bad.push(`${file} imports ${imp.specifier}: watch mode uses the job service's contract (jobs/types.ts), not its implementation`);
  }
  // Services do not depend on the CLI (a shell over them), nor on the hosts that use them.
  if ((inFolder(file, 'src-main/jobs') || inFolder(file, 'src-main/watch')) && /\/(cli|serve|api|electron)\//.test(imp.specifier)) {
    bad.push(`${file} imports ${imp.specifier}: the job and watch services do not depend on the CLI or the hosts`);
  }
  // The API contract serves every transport: no HTTP in it, and the job runner is injected (its
  // types only), so the Electron host and `cairn serve` can hand in the same service.
  const target = resolveLayer(file, imp.specifier) ? path.normalize(path.join(path.dirname(file), imp.specifier)) : '';
  if (inFolder(file, 'src-main/api')) {
    if (/^node:(http|https|http2|net)$/.test(imp.specifier)) bad.push(`${file} imports ${imp.specifier}: the API contract is transport-independent (HTTP lives in src-main/serve)`);
    for (const dir of ['src-main/serve', 'src-main/cli', 'src-main/electron']) {
      if (inFolder(target, dir)) bad.push(`${file} imports ${imp.specifier}: the API must not depend on ${dir}`);
    }
    if (inFolder(target, 'src-main/jobs') && (target !== path.join('src-main', 'jobs', 'types.ts') || !imp.typeOnly)) {
      bad.push(`${file} imports ${imp.specifier}: the API gets the job service injected; it may import only the types of src-main/jobs/types.ts`);
    }
  }
  // The HTTP host is a transport over the API: it reaches the application only through it.
  if (inFolder(file, 'src-main/serve') && target.startsWith('src-main' + path.sep) && !inFolder(target, 'src-main/serve') && !inFolder(target, 'src-main/api') && !inFolder(target, 'src-main/common')) {
    bad.push(`${file} imports ${imp.specifier}: src-main/serve reaches the application only through src-main/api`);
  }
  return bad;
}

test('no source file imports across layers against ARCHITECTURE.md', () => {
  assert.deepEqual(violations(), []);
});

test('the import scanner sees static, type-only, dynamic and worker imports', () => {
  const text = [
    "import { a } from '../../src-main/x.ts';",
    "import type { B } from '../other.ts';",
    "export { c } from './c.ts';",
    "const m = await import('electron');",
    "new Worker(new URL('./worker.ts', import.meta.url));",
    "const { ipcRenderer } = require('electron') as typeof import('electron');",
  ].join('\n');
  assert.deepEqual(importsOf(text), [
    { specifier: '../../src-main/x.ts', typeOnly: false },
    { specifier: '../other.ts', typeOnly: true },
    { specifier: './c.ts', typeOnly: false },
    { specifier: 'electron', typeOnly: false },
    { specifier: './worker.ts', typeOnly: false },
    { specifier: 'electron', typeOnly: false },
    { specifier: 'electron', typeOnly: false },
  ]);
});
