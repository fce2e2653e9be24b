// Loads one of the engine's WebAssembly kernels (built from ./assembly by `npm run build`, which
// `npm install` runs). Synchronous, so modules can set their kernel up at import time; each
// thread gets its own instance and memory.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../errors.ts';

export function loadKernel<T>(name: string): T & { memory: WebAssembly.Memory } {
  const file = fileURLToPath(new URL(`./build/${name}.wasm`, import.meta.url));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new CairnError('INTERNAL', `the ${name} kernel is missing (${file}): run "npm run build" in the Cairn folder`, { cause: err });
  }
  // readFileSync's Buffer never sits on a SharedArrayBuffer; the cast says so for the DOM typings
  // (the renderer's type check reaches this file through the contract's types).
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { env: { abort() { throw new Error(`${name} kernel aborted`); } } });
  return instance.exports as T & { memory: WebAssembly.Memory };
}
