#!/usr/bin/env node
// Entry point of the `cairn` command: runs the JavaScript that `npm install` (or `npm run build`)
// emitted into dist/.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src-main/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('Fatal: Cairn is not built yet: run "npm install" (or "npm run build") in the Cairn folder');
  process.exit(1);
}
await import(main.href);
