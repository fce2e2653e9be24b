// GET /api/repositories/:repositoryId/snapshots/:snapshotId/file?path=...: one file of a snapshot
// as a download. The token gate in server.ts runs first, like for every /api/ path.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { streamSnapshotFile, type ApiContext } from '../api/index.ts';

const PATTERN = /^\/api\/repositories\/([^/]+)\/snapshots\/([^/]+)\/(file|zip)$/;

/** A file download ("file") or a folder as a zip ("zip", src-main/serve/zip.ts). */
export function matchDownload(pathname: string): { kind: 'file' | 'zip'; params: { repositoryId: string; snapshotId: string } } | null {
  const m = PATTERN.exec(pathname);
  if (!m) return null;
  try {
    return { kind: m[3] as 'file' | 'zip', params: { repositoryId: decodeURIComponent(m[1]), snapshotId: decodeURIComponent(m[2]) } };
  } catch {
    return null;
  }
}

/**
 * `attachment` so the browser saves instead of rendering (a snapshot's HTML file must not run on
 * this origin); an ASCII fallback name for old clients and the exact name in RFC 5987 form.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

export async function serveDownload(res: ServerResponse, api: ApiContext, input: Record<string, unknown>, head: boolean): Promise<void> {
  const stop = new AbortController();
  res.once('close', () => stop.abort());
  await streamSnapshotFile(api, input, {
    start({ name, size }) {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(size),
        'Content-Disposition': contentDisposition(name),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      if (head) stop.abort();
    },
    async write(chunk) {
      if (head) return;
      if (!res.write(chunk)) await once(res, 'drain', { signal: stop.signal });
    },
  }, stop.signal).catch((err: unknown) => {
    // After the headers went out the only honest signal left is a cut connection.
    if (res.headersSent) { if (!head) res.destroy(); return; }
    throw err;
  });
  res.end();
}
