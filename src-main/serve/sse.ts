// Server-sent events at GET /api/events: every ApiEvent as "event: <type>" with JSON data, and a
// comment line every so often so proxies and browsers keep an idle stream open. EventSource
// cannot send headers, which is why the UI's cookie is accepted here as well as the bearer token.
import type { ServerResponse } from 'node:http';
import type { ApiEvent, EventHub } from '../api/index.ts';

export interface EventStream {
  close(): void;
}

export function openEventStream(res: ServerResponse, hub: EventHub, keepAliveMs: number, onClose: () => void): EventStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'keep-alive',
  });
  res.write('retry: 3000\n\n');
  const send = (e: ApiEvent) => {
    res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  };
  const unsubscribe = hub.subscribe(send);
  const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    unsubscribe();
    res.end();
    onClose();
  };
  res.on('close', close);
  return { close };
}
