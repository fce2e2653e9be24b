#!/usr/bin/env node
// Entry point of the `cairn` command: runs the JavaScript that `npm install` (or `npm run build`)
// emitted into dist/. Cairn needs Node >= 22.15 (zstd in node:zlib); `npm install` brings Node 24,
// which `npx cairn` and npm scripts use. Started any other way on an older Node, say so plainly.
import { existsSync } from 'node:fs';
import zlib from 'node:zlib';

if (typeof zlib.zstdCompressSync !== 'function') {
  console.error(`Fatal: Cairn needs Node.js 22.15 or newer (this is ${process.version}): run it with "npx cairn" in the Cairn folder, which uses the Node 24 that "npm install" put in node_modules/.bin`);
  process.exit(1);
}
const main = new URL('../dist/src-main/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('Fatal: Cairn is not built yet: run "npm install" (or "npm run build") in the Cairn folder');
  process.exit(1);
}
await import(main.href);
