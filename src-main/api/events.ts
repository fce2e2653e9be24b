// The API's event stream: job events, scheduler changes and profile changes, fanned out to every
// connected client (SSE streams, IPC windows). A listener that throws is dropped from this one
// event only; it must not stop the others from hearing it.
import type { ApiEvent } from './contract.ts';

export type ApiEventListener = (e: ApiEvent) => void;

export class EventHub {
  private listeners = new Set<ApiEventListener>();

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ApiEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A broken client connection is that client's problem; the rest still get the event.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
