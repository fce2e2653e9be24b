// The headless host's HTTP server: the API contract over HTTP + SSE on one port, plus the built
// UI. Every request passes, in this order: Host check (403), then for /api/ the token (401), the
// origin of writes (403), the route (404/405), the body (400/413/415), and the operation itself,
// whose CairnError code becomes the status (status.ts).
//
// Why a cookie as well as the bearer token: the printed URL carries the token once
// ("/?token=..."); the server answers that first load with an HttpOnly, SameSite=Strict cookie
// and a redirect to "/" (so the token leaves the address bar and the history). The UI's fetches
// and its EventSource (which cannot set headers) then authenticate with the cookie; scripts
// cannot read it, and other sites' pages never get it sent.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CairnError } from '../../src-worker/index.ts';
import { handle, toCairnError, type ApiContext, type ApiError } from '../api/index.ts';
import { matchDownload, serveDownload } from './download.ts';
import { DEFAULT_BODY_LIMIT, queryObject, readJsonBody } from './body.ts';
import { DEFAULT_LISTEN, hostPort, isLoopback, isWildcard, type ListenAddress } from './listen.ts';
import { matchRoute } from './routes.ts';
import { allowedHosts, cookieName, newToken, originAllowed, requestToken, tokenMatches } from './security.ts';
import { openEventStream, type EventStream } from './sse.ts';
import { serveStatic } from './static.ts';
import { serveFolderZip } from './zip.ts';
import { HttpError, STATUS_OF } from './status.ts';

export interface ServeOptions {
  api: ApiContext;
  listen?: ListenAddress;
  /** Needed for any address that is not loopback (see README: the risk). */
  allowRemote?: boolean;
  /** Folder of the built UI. */
  uiDir: string;
  /** Seconds between SSE keep-alive comments. */
  keepAliveMs?: number;
  bodyLimit?: number;
}

export interface RunningServer {
  /** The one URL to open: it carries the token. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof HttpError) {
    const extra: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
    sendJson(res, err.status, { error: { code: err.code, message: err.message } satisfies ApiError }, extra);
    return;
  }
  const e = toCairnError(err);
  sendJson(res, STATUS_OF[e.code] ?? 500, { error: { code: e.code, message: e.message } satisfies ApiError });
}

export function checkListen(listen: ListenAddress, allowRemote: boolean): void {
  if (!isLoopback(listen.host) && !allowRemote) {
    throw new CairnError('INVALID_ARGUMENT', `listening on ${listen.host} lets other computers reach your backups' contents: add --allow-remote if you mean it, or use 127.0.0.1`);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const listen = options.listen ?? DEFAULT_LISTEN;
  checkListen(listen, options.allowRemote === true);
  const token = newToken();
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const streams = new Set<EventStream>();
  let hosts = new Set<string>();
  let port = 0;

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hosts.has(req.headers.host ?? '')) throw new HttpError('FORBIDDEN_HOST', 'the Host header does not name this server: open the URL cairn serve printed');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const method = req.method ?? 'GET';

    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (!tokenMatches(requestToken(req.headers, port), token)) {
        throw new HttpError('UNAUTHORIZED', 'missing or wrong token: send "Authorization: Bearer <token>" with the token from the URL cairn serve printed');
      }
      if (method !== 'GET' && method !== 'HEAD' && !originAllowed(req.headers)) {
        throw new HttpError('FORBIDDEN_ORIGIN', 'requests that change something must come from this server\'s own pages');
      }
      if (url.pathname === '/api/events') {
        if (method !== 'GET') throw new HttpError('METHOD_NOT_ALLOWED', 'GET /api/events only');
        const stream = openEventStream(res, options.api.events, keepAliveMs, () => streams.delete(stream));
        streams.add(stream);
        return;
      }
      const download = matchDownload(url.pathname);
      if (download && (method === 'GET' || method === 'HEAD')) {
        const input = { ...queryObject(url.searchParams), ...download.params };
        if (download.kind === 'zip') await serveFolderZip(res, options.api, input, method === 'HEAD');
        else await serveDownload(res, options.api, input, method === 'HEAD');
        return;
      }
      const route = matchRoute(method, url.pathname);
      if (route.kind === 'none') throw new HttpError('NO_ROUTE', `there is no ${url.pathname} in the API`);
      if (route.kind === 'method') throw new HttpError('METHOD_NOT_ALLOWED', `${url.pathname} takes ${[...new Set(route.allowed)].join(', ')}, not ${method}`);
      const body = method === 'GET' ? {} : await readJsonBody(req, bodyLimit);
      // Path parameters last: the URL names the object, a body cannot redirect the call elsewhere.
      const input = { ...queryObject(url.searchParams), ...body, ...route.params };
      sendJson(res, 200, await handle(route.op, input, options.api));
      return;
    }

    if (method !== 'GET' && method !== 'HEAD') throw new HttpError('METHOD_NOT_ALLOWED', 'the UI is read with GET');
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!tokenMatches(given, token)) throw new HttpError('UNAUTHORIZED', 'this link\'s token is not the current one: open the URL cairn serve printed last');
      res.writeHead(303, {
        Location: '/',
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      res.end();
      return;
    }
    await serveStatic(res, options.uiDir, url.pathname, method === 'HEAD');
  };

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of a refused body is not read: close the connection instead of draining it.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, err);
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // SSE streams stay open; idle sockets are closed by keepAliveTimeout

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = hostPort(listen.host, listen.port);
      if (err.code === 'EADDRINUSE') reject(new CairnError('INVALID_ARGUMENT', `${where} is in use: choose another port with --listen`, { cause: err }));
      else reject(new CairnError('PERMISSION_DENIED', `cannot listen on ${where}: ${err.message}`, { cause: err }));
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(listen.host, port);
  const shownHost = isWildcard(listen.host) ? (listen.host === '::' ? '::1' : '127.0.0.1') : listen.host;
  const url = `http://${hostPort(shownHost, port)}/?token=${token}`;

  return {
    url,
    host: listen.host,
    port,
    token,
    async close() {
      for (const s of [...streams]) s.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
