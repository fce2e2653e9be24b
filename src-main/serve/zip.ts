// GET /api/repositories/:repositoryId/snapshots/:snapshotId/zip?path=...: one folder of a snapshot
// as a zip, streamed: entries are written as the folder is read, a file's blobs one at a time, and
// the socket's back-pressure paces the reading, so neither the folder nor a big file is ever held
// in memory. Entries are stored, not deflated: the server usually runs on the same machine, where
// compressing costs more time than it saves. yazl switches to ZIP64 where sizes need it (>4 GiB).
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { streamSnapshotFolder, type ApiContext, type FolderItem } from '../api/index.ts';
import { contentDisposition } from './download.ts';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Waits for `p`, but gives up as soon as the zip fails or the client goes away. */
function unlessStopped<T>(p: Promise<T>, failed: Promise<never>, stop: AbortSignal): Promise<T> {
  const aborted = new Promise<never>((_, reject) => {
    if (stop.aborted) reject(new Error('the client went away'));
    stop.addEventListener('abort', () => reject(new Error('the client went away')), { once: true });
  });
  aborted.catch(() => {});
  return Promise.race([p, failed, aborted]);
}

function addItem(zip: ZipFile, item: FolderItem, read: () => AsyncIterable<Uint8Array>, failed: Promise<never>, stop: AbortSignal): Promise<void> {
  if (item.type === 'dir') {
    zip.addEmptyDirectory(`${item.path}/`, { mtime: item.mtime, mode: S_IFDIR | item.permissions });
    return Promise.resolve();
  }
  if (item.type === 'symlink') {
    // Unzip tools make a link of an entry with the link type whose content is the target.
    zip.addBuffer(Buffer.from(item.linkTarget), item.path, { mtime: item.mtime, mode: S_IFLNK | 0o777, compress: false });
    return Promise.resolve();
  }
  const written = new Promise<void>((resolve, reject) => {
    zip.addReadStreamLazy(item.path, { mtime: item.mtime, mode: S_IFREG | item.permissions, compress: false, size: item.size }, (cb) => {
      const stream = Readable.from(read(), { objectMode: false });
      stream.once('end', () => resolve());
      stream.once('error', reject);
      stop.addEventListener('abort', () => stream.destroy(), { once: true });
      cb(null, stream);
    });
  });
  return unlessStopped(written, failed, stop);
}

export async function serveFolderZip(res: ServerResponse, api: ApiContext, input: Record<string, unknown>, head: boolean): Promise<void> {
  const stop = new AbortController();
  res.once('close', () => stop.abort());
  const zip = new ZipFile();
  const failed = new Promise<never>((_, reject) => zip.on('error', reject));
  failed.catch(() => {});
  await streamSnapshotFolder(api, input, {
    start({ name }) {
      res.writeHead(200, {
        'Content-Type': 'application/zip',
        'Content-Disposition': contentDisposition(`${name}.zip`),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      if (head) stop.abort();
      else zip.outputStream.pipe(res);
    },
    item: (item, read) => addItem(zip, item, read, failed, stop.signal),
  }, stop.signal).catch((err: unknown) => {
    // After the headers went out the only honest signal left is a cut connection.
    if (res.headersSent) { if (!head) res.destroy(); return; }
    throw err;
  });
  if (head) { res.end(); return; }
  if (res.destroyed) return;
  zip.end();
  await unlessStopped(once(res, 'finish').then(() => undefined), failed, stop.signal).catch(() => res.destroy());
}
