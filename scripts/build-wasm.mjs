#!/usr/bin/env node
// Compiles the engine's AssemblyScript kernels (src-worker/wasm/assembly/*.ts) to WebAssembly.
// Runs from `npm install` (the "prepare" script), so a fresh clone is ready to use; the .wasm
// files are build output and are not committed.
import asc from 'assemblyscript/asc';
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
    console.error(`build-wasm: ${file} failed: ${error.message}`);
    process.exit(1);
  }
}
console.log(`build-wasm: compiled ${sources.length} kernel(s) into ${path.relative(root, outDir)}`);
