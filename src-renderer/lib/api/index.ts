// The UI's API client: one transport for the whole app, chosen at start-up.
import type { ApiEvent, ApiInput, ApiOutput, OpName } from '../../../src-main/api/contract.ts';
import { HttpTransport } from './http.ts';
import { IpcTransport, type CairnBridge } from './ipc.ts';
import type { Transport } from './transport.ts';

export { ApiCallError, asApiError, nextStep } from './errors.ts';
export type { Transport } from './transport.ts';

declare global {
  interface Window {
    /** Set by the Electron preload: the same contract over IPC. Absent in a browser. */
    cairn?: CairnBridge;
  }
}

let transport: Transport | undefined;

/** The Electron preload's transport when there is one, else HTTP to the page's own origin. */
export function connect(t: Transport = window.cairn ? new IpcTransport(window.cairn) : new HttpTransport()): Transport {
  transport = t;
  return t;
}

function current(): Transport {
  if (!transport) throw new Error('the API client is used before connect()');
  return transport;
}

/** Calls an operation of the contract: names, inputs and outputs are its types. */
export function call<K extends OpName>(op: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
  return current().call(op, input);
}

export function subscribe(listener: (e: ApiEvent) => void, onConnection?: (connected: boolean) => void): () => void {
  return current().subscribe(listener, onConnection);
}

export type { ApiEvent, ApiInput, ApiOutput, OpName };
export type Profiles = ApiOutput<'profiles.get'>;
export type Repository = Profiles['repositories'][number];
export type Plan = Profiles['plans'][number];
export type JobInfo = ApiOutput<'jobs.get'>;
export type JobProgress = NonNullable<JobInfo['progress']>;
export type SchedulerStatus = ApiOutput<'scheduler.status'>;
export type PlanStatus = SchedulerStatus['plans'][number];
export type Health = ApiOutput<'repositories.health'>;
export type AppInfo = ApiOutput<'app.info'>;
export type ConnectionReport = ApiOutput<'repositories.testLocation'>;
export type Schedule = Plan['schedule'];
export type Retention = Plan['retention'];
export type ExcludePresetId = Plan['excludePresets'][number];
