#!/usr/bin/env node
// Builds what a fresh clone needs to run (`npm install` runs this as the "prepare" script):
//  1. the engine's AssemblyScript kernels (src-worker/wasm/assembly/*.ts) → WebAssembly;
//  2. the engine and CLI, TypeScript → JavaScript in dist/ (tsconfig.build.json), which is what
//     bin/cairn.js runs: Node's type stripping would cost memory and start-up time in every thread;
//  3. the kernels copied next to the emitted loader;
//  4. the UI (src-renderer, Svelte + Vite) into dist-renderer/, which `cairn serve` serves.
// Build output is not committed.
import asc from 'assemblyscript/asc';
import { build as viteBuild } from 'vite';
import { build as rolldown } from 'rolldown';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = path.join(root, 'src-worker/wasm/assembly');
const outDir = path.join(root, 'src-worker/wasm/build');
fs.mkdirSync(outDir, { recursive: true });

const sources = fs.readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).sort();
for (const file of sources) {
  const name = path.basename(file, '.ts');
  const { error, stderr } = await asc.main([
    path.join(sourceDir, file),
    '--outFile', path.join(outDir, `${name}.wasm`),
    '--optimizeLevel', '3', '--shrinkLevel', '0',
    '--runtime', 'stub',        // kernels allocate nothing at run time; memory is managed by the host
    '--noAssert',
    '--enable', 'simd',
  ]);
  if (error) {
    process.stderr.write(stderr.toString());
    console.error(`build: ${file} failed: ${error.message}`);
    process.exit(1);
  }
}

const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  console.error('build: TypeScript compilation failed (see above)');
  process.exit(1);
}
fs.cpSync(outDir, path.join(dist, 'src-worker/wasm/build'), { recursive: true });
console.log(`build: ${sources.length} WebAssembly kernel(s) and the TypeScript sources compiled into ${path.relative(root, dist)}/`);

// The `cairn` command and its worker threads as bundles (dist/cli/): loading the 118 modules of
// the CLI one by one cost every command ~40 ms of CPU and ~7 MiB before it did anything, and each
// worker thread the same for its own. Packages stay outside (loaded from node_modules, some
// only when used). The kernels go beside the bundles, where the loader looks for them.
const cliDir = path.join(dist, 'cli');
try {
  await rolldown({
    input: {
      main: path.join(dist, 'src-main/cli/main.js'),
      'backup-worker': path.join(dist, 'src-worker/pool/backup-worker.js'),
      'restore-worker': path.join(dist, 'src-worker/pool/restore-worker.js'),
    },
    platform: 'node',
    external: [/^node:/, /^[^./]/],
    logLevel: 'warn',
    output: { dir: cliDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
  });
} catch (err) {
  console.error(`build: bundling the CLI failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
fs.cpSync(outDir, path.join(cliDir, 'build'), { recursive: true });
console.log(`build: the CLI and its workers bundled into ${path.relative(root, cliDir)}/`);

try {
  await viteBuild({ configFile: path.join(root, 'src-renderer/vite.config.ts') });
} catch (err) {
  console.error(`build: the UI (src-renderer) failed to build: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
console.log('build: the UI compiled into dist-renderer/');

// The app and tray icons (resources/*.svg → resources/build/), for the desktop shell and installers.
try {
  execFileSync(process.execPath, [path.join(root, 'scripts/render-icons.mjs')], { stdio: 'inherit', cwd: root });
} catch {
  console.error('build: rendering the icons failed (see above)');
  process.exit(1);
}
