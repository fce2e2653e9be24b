// The contract over Electron IPC: the preload exposes window.cairn with invoke(op, input) and
// onEvent(listener) (src-main/electron/preload.cts); this adapts it to the UI's Transport.
// Failed calls arrive as errors carrying the CairnError code, and become ApiCallErrors.
import type { ApiEvent, ApiInput, ApiOutput, OpName } from '../../../src-main/api/contract.ts';
import { ApiCallError } from './errors.ts';
import type { Transport } from './transport.ts';

/** What the Electron preload puts on window.cairn. */
export interface CairnBridge {
  invoke(op: string, input: unknown): Promise<unknown>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

export class IpcTransport implements Transport {
  private readonly bridge: CairnBridge;

  constructor(bridge: CairnBridge) {
    this.bridge = bridge;
  }

  async call<K extends OpName>(op: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
    try {
      return (await this.bridge.invoke(op, input)) as ApiOutput<K>;
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      throw new ApiCallError(typeof e.code === 'string' ? e.code : 'INTERNAL', typeof e.message === 'string' ? e.message : String(err));
    }
  }

  subscribe(listener: (event: ApiEvent) => void, onConnection?: (connected: boolean) => void): () => void {
    const stop = this.bridge.onEvent(listener);
    // IPC to the app's own main process does not drop: connected from the start.
    onConnection?.(true);
    return stop;
  }
}
