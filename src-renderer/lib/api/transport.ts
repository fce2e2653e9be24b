// The one thing the UI talks to: call an operation of the contract by name, and listen to its
// events. `cairn serve` is reached over HTTP (http.ts); in the desktop app, over the preload's
// window.cairn (ipc.ts).
import type { ApiEvent, ApiInput, ApiOutput, OpName } from '../../../src-main/api/contract.ts';

export interface Transport {
  /** Rejects with an ApiCallError (code + message) when the operation fails. */
  call<K extends OpName>(op: K, input: ApiInput<K>): Promise<ApiOutput<K>>;
  /**
   * Events in order. `onConnection(true)` after every (re)connect: events may have been missed
   * while disconnected, so listeners fetch the state again then. Returns the unsubscribe function.
   */
  subscribe(listener: (event: ApiEvent) => void, onConnection?: (connected: boolean) => void): () => void;
}

/** Every event type the contract has; the check below fails to compile when one is added. */
export const EVENT_TYPES = ['job-queued', 'job-started', 'job-progress', 'job-log', 'job-finished', 'scheduler', 'profiles-changed', 'notification'] as const;
type Missing = Exclude<ApiEvent['type'], (typeof EVENT_TYPES)[number]>;
const allEventTypesListed: [Missing] extends [never] ? true : Missing = true;
void allEventTypesListed;
