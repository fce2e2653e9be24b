// An HTTP proxy that fails some requests on purpose, for testing a backend's retries against a
// real server behind it: every `dropEvery`-th request has its connection cut after part of the
// response, every `failEvery`-th gets the `failure` response instead of reaching the server, and
// every `delayEvery`-th waits `delayMs` before it is passed on (a slow link). It also counts
// requests and the most that were in flight at once.
import http from 'node:http';
import { freePort } from './tools.ts';

export interface FaultProxyOptions {
  dropEvery: number;
  failEvery: number;
  delayEvery?: number;
  delayMs?: number;
  /** What a failed request gets (default: 503 with a plain-text body). */
  failure?: (n: number) => { status: number; headers?: http.OutgoingHttpHeaders; body: string };
}

export interface FaultProxy {
  url: string;
  stats: { requests: number; dropped: number; failed: number; delayed: number; inFlight: number; maxInFlight: number };
  close(): void;
}

export async function startFaultyProxy(target: string, opts: FaultProxyOptions): Promise<FaultProxy> {
  const stats = { requests: 0, dropped: 0, failed: 0, delayed: 0, inFlight: 0, maxInFlight: 0 };
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const n = ++stats.requests;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = () => { if (!done) { done = true; stats.inFlight--; } };
    res.on('close', finish);
    if (n % opts.failEvery === 0) {
      stats.failed++;
      const f = opts.failure?.(n) ?? { status: 503, body: 'injected failure' };
      req.resume();
      req.on('end', () => res.writeHead(f.status, f.headers).end(f.body));
      return;
    }
    const delay = opts.delayEvery && n % opts.delayEvery === 0 ? opts.delayMs ?? 0 : 0;
    if (delay > 0) stats.delayed++;
    const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (n % opts.dropEvery === 0) {
        // Send the head and a little of the body, then cut the connection.
        stats.dropped++;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
          res.socket?.destroy();
          up.destroy();
        });
        up.once('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.socket?.destroy());
    // The request is held back (its body waits in the socket) before anything reaches the server.
    if (delay > 0) {
      req.pause();
      setTimeout(() => req.pipe(forward), delay);
    } else {
      req.pipe(forward);
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, stats, close: () => { server.close(); server.closeAllConnections(); } };
}
