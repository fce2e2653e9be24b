// Talking to a `cairn serve` server over real HTTP, with full control of the headers (fetch would
// not let a test send a hostile Host header), and starting one in-process on an ephemeral port
// with the real services: profiles in a fresh config folder, secrets in the (opt-in) password
// file, and the real job runner (src-main/jobs).
import assert from 'node:assert/strict';
import http from 'node:http';
import { createApiContext, type ApiContext } from '../../src-main/api/index.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { PasswordFileStore, withSessionSecrets } from '../../src-main/secrets/index.ts';
import { startServer, type RunningServer } from '../../src-main/serve/index.ts';
import { createJobService, type LocalJobService } from '../../src-main/jobs/index.ts';
import { tmpDir } from './tools.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body (JSON answers only). */
  json: any;
}

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
}

export function request(server: { port: number; token: string }, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...opts.headers };
  const token = opts.token === undefined ? server.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    // A fresh connection per request: a pooled keep-alive socket can be closed by the server's idle
    // timer just as it is reused (ECONNRESET) when the test's own spawnSync calls block the loop.
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (text += t));
      res.on('end', () => {
        let json: unknown;
        if ((res.headers['content-type'] ?? '').startsWith('application/json')) json = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface TestServer extends RunningServer {
  api: ApiContext;
  configDir: string;
  jobs: LocalJobService;
  stop(): Promise<void>;
}

/** `configDir`: one a server before used, to start again as after a restart (memory gone, files kept). */
export async function startTestServer(options: { uiDir?: string; keepAliveMs?: number; configDir?: string; noKeyring?: boolean } = {}): Promise<TestServer> {
  const configDir = options.configDir ?? tmpDir('serve-config');
  const { service: profiles } = await ProfilesService.open(configDir);
  // As the hosts do: passwords kept for the session only live in front of the saved ones; with
  // no keyring and no password file (noKeyring), every secret lives only in memory.
  const secrets = withSessionSecrets(options.noKeyring
    ? { state: 'unavailable', message: 'no system keyring is available here' }
    : { state: 'file', store: new PasswordFileStore(configDir), notice: '' });
  if (secrets.state === 'unavailable') throw new Error('withSessionSecrets leaves no state unavailable');
  const jobs = createJobService({ profiles, secrets: secrets.store, dataDir: configDir, cacheDir: null });
  const api = createApiContext({ profiles, secrets, jobs });
  const server = await startServer({ api, uiDir: options.uiDir ?? tmpDir('no-ui'), keepAliveMs: options.keepAliveMs });
  return Object.assign(Object.create(null) as object, {
    url: server.url, host: server.host, port: server.port, token: server.token, close: () => server.close(),
    api, configDir, jobs,
    async stop() {
      await server.close();
      await jobs.close();
      await api.close();
    },
  });
}

/** Reads server-sent events until `until` returns true for one; returns all seen. */
export function collectEvents(server: { port: number; token: string }, until: (type: string, data: any) => boolean): { ready: Promise<void>; done: Promise<{ type: string; data: any }[]>; close(): void } {
  let req: http.ClientRequest;
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const done = new Promise<{ type: string; data: any }[]>((resolve, reject) => {
    const events: { type: string; data: any }[] = [];
    req = http.get({ host: '127.0.0.1', port: server.port, agent: false, path: '/api/events', headers: { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${server.token}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET /api/events answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (t: string) => {
        buf += t;
        if (buf.includes('retry:')) readyResolve();
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type === undefined || data === undefined) continue;
          const parsed = JSON.parse(data);
          events.push({ type, data: parsed });
          if (until(type, parsed)) {
            resolve(events);
            req.destroy();
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
  });
  return { ready, done, close: () => req.destroy() };
}

/** The JSON of a 200 answer; any other status fails the test with the answer's text. */
export function ok(r: Reply): any {
  assert.equal(r.status, 200, `expected 200, got ${r.status}: ${r.text}`);
  return r.json;
}
