// The HTTP transport for `cairn serve`: fetch for operations, EventSource on /api/events for
// events. Authentication is the HttpOnly cookie the server set when the printed URL was opened,
// so this code never sees the token (and scripts injected into the page could not read it).
import type { ApiEvent, ApiInput, ApiOutput, OpName } from '../../../src-main/api/contract.ts';
import { ApiCallError } from './errors.ts';
import { routes } from './routes.ts';
import { EVENT_TYPES, type Transport } from './transport.ts';

/** Splits an input into the URL (path parameters filled in) and what remains for query or body. */
export function buildRequest(op: OpName, input: Record<string, unknown>): { method: string; url: string; body?: string } {
  const [method, pattern] = routes[op];
  const rest: Record<string, unknown> = { ...input };
  const path = pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = rest[name];
    if (value === undefined) throw new ApiCallError('INVALID_ARGUMENT', `${op}: "${name}" is missing`);
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  if (method === 'GET' || method === 'DELETE') {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    return { method, url: qs ? `${path}?${qs}` : path };
  }
  return { method, url: path, body: JSON.stringify(rest) };
}

export class HttpTransport implements Transport {
  private readonly base: string;

  constructor(base = '') {
    this.base = base;
  }

  async call<K extends OpName>(op: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
    const req = buildRequest(op, input as Record<string, unknown>);
    let res: Response;
    try {
      res = await fetch(this.base + req.url, {
        method: req.method,
        credentials: 'same-origin',
        headers: req.body !== undefined ? { 'Content-Type': 'application/json' } : {},
        body: req.body,
      });
    } catch {
      throw new ApiCallError('DISCONNECTED', 'Cairn is not answering: it may have been stopped.');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiCallError('INTERNAL', `Cairn answered something unexpected (HTTP ${res.status}).`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: unknown; message?: unknown } }).error;
      throw new ApiCallError(typeof e?.code === 'string' ? e.code : 'INTERNAL', typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`);
    }
    // The server parsed its answer against the contract's output schema before sending it.
    return json as ApiOutput<K>;
  }

  subscribe(listener: (event: ApiEvent) => void, onConnection?: (connected: boolean) => void): () => void {
    // EventSource reconnects by itself (the server sends "retry: 3000").
    const source = new EventSource(this.base + '/api/events', { withCredentials: true });
    const onMessage = (e: Event) => {
      try {
        listener(JSON.parse(String((e as MessageEvent).data)) as ApiEvent);
      } catch (err) {
        console.error('cairn: a bad event from the server was ignored', err);
      }
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onMessage);
    source.onopen = () => onConnection?.(true);
    source.onerror = () => onConnection?.(false);
    return () => source.close();
  }
}
