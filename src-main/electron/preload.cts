// The renderer's whole view of the app: window.cairn with invoke(op, input) and onEvent(listener),
// nothing else (no ipcRenderer, no Node). Runs sandboxed with context isolation, which is why it
// is CommonJS (.cts → .cjs) and imports nothing but electron: a sandboxed preload can require
// only a few built-in modules. Channel names repeat src-main/electron/channels.ts on purpose.
import type { ApiEvent, ApiInput, ApiOutput, OpName } from '../api/index.ts' with { 'resolution-mode': 'import' };
import type { DesktopInput, DesktopOpName, DesktopOutput } from './desktop-ops.ts' with { 'resolution-mode': 'import' };
import type { InvokeResult } from './invoke.ts' with { 'resolution-mode': 'import' };

const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

const INVOKE_CHANNEL = 'cairn:invoke';
const EVENT_CHANNEL = 'cairn:event';

/** What the renderer gets as window.cairn. */
export interface CairnBridge {
  invoke<K extends OpName>(op: K, input: ApiInput<K>): Promise<ApiOutput<K>>;
  invoke<K extends DesktopOpName>(op: K, input: DesktopInput<K>): Promise<DesktopOutput<K>>;
  /** Returns the function that stops listening. */
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** A failed call rejects with an Error carrying the CairnError code (e.g. WRONG_PASSWORD). */
class CairnCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CairnError';
    this.code = code;
  }
}

const bridge = {
  async invoke(op: string, input: unknown): Promise<unknown> {
    const r = (await ipcRenderer.invoke(INVOKE_CHANNEL, op, input)) as InvokeResult;
    if (r.ok) return r.value;
    throw new CairnCallError(r.error.code, r.error.message);
  },
  onEvent(listener: (e: ApiEvent) => void): () => void {
    // The IPC event object (with its sender) is not handed to the page: only the ApiEvent.
    const wrapped = (_event: unknown, e: ApiEvent) => listener(e);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
} as CairnBridge;

contextBridge.exposeInMainWorld('cairn', bridge);
