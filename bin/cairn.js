#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
// Entry point of the `cairn` command: runs the JavaScript that `npm install` (or `npm run build`)
// emitted into dist/. Cairn needs Node >= 22.15 (zstd in node:zlib); `npm install` brings Node 24,
// which `npx cairn` and npm scripts use. Started any other way on an older Node, say so plainly.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

// V8 sizes the main thread's young generation for throughput-heavy servers (up to 3 x 16 MiB);
// Cairn's main thread allocates little, and the unused slack showed up as peak memory (measured:
// 330 -> 270 MiB for a 1 GiB backup, same speed). And glibc gives each thread that allocates a
// malloc arena of its own, where freed chunk buffers of different sizes fragment: two arenas
// are enough for a main thread and its workers (1 GiB, 3 runs each: restore peak 159-163 ->
// 151-155 MiB, initial backup 165-170 -> 153-160 MiB, same speed; other C libraries ignore it).
// Both only work at start-up, so the shebang line passes them; started as `node bin/cairn.js`,
// the process replaces itself once with them (execve: no second process stays around, but a
// second start-up is paid). Not on Windows.
const HEAP_FLAG = '--max-semi-space-size=1';
if (typeof process.execve === 'function' && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  try {
    const env = { MALLOC_ARENA_MAX: '2', ...process.env };
    process.execve(process.execPath, [process.execPath, HEAP_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], env);
  } catch {
    // Not supported here: run as is.
  }
}

if (typeof zlib.zstdCompressSync !== 'function') {
  console.error(`Fatal: Cairn needs Node.js 22.15 or newer (this is ${process.version}): run it with "npx cairn" in the Cairn folder, which uses the Node 24 that "npm install" put in node_modules/.bin`);
  process.exit(1);
}
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('Fatal: Cairn is not built yet: run "npm install" (or "npm run build") in the Cairn folder');
  process.exit(1);
}
// Keep V8's compiled code between runs (Node's on-disk compile cache): start-up is mostly
// compiling modules, and every command pays it.
module.enableCompileCache?.();
await import(main.href);
