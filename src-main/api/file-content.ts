// One file's bytes out of a snapshot, for the browser UI's Download (the desktop app drags files
// out instead: src-main/electron/drag-out.ts). Not an operation of the contract: its answer is the
// file itself, not JSON, so each transport streams it its own way; `cairn serve` serves it at
// GET /api/repositories/:repositoryId/snapshots/:snapshotId/file?path=... behind the same token.
// Blobs are read and handed on one at a time, so memory stays at one blob whatever the file size.
import { CairnError } from '../../src-worker/index.ts';
import type { ApiContext } from './context.ts';
import { SnapshotPathInputSchema, withSnapshotPath } from './snapshot-download.ts';

export const FileContentInputSchema = SnapshotPathInputSchema;

export interface FileContentSink {
  /** Called once, before the first chunk: the file exists and is this big. */
  start(info: { name: string; size: number }): void;
  /** Resolves when the chunk may be followed by the next (back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
}

export async function streamSnapshotFile(ctx: ApiContext, input: unknown, sink: FileContentSink, signal?: AbortSignal): Promise<void> {
  await withSnapshotPath(ctx, input, 'file download', async ({ repo, path, node }) => {
    if (!node) throw new CairnError('INVALID_ARGUMENT', `${path} is the snapshot's root: only files can be downloaded (restore folders instead)`);
    if (node.type !== 'file') throw new CairnError('INVALID_ARGUMENT', `${path} is a ${node.type}: only files can be downloaded (restore folders instead)`);
    sink.start({ name: node.name, size: node.size ?? 0 });
    for (const blob of node.content ?? []) {
      if (signal?.aborted) throw new CairnError('ABORTED', 'the download was cancelled');
      await sink.write(await repo.loadBlob('data', blob));
    }
  });
}
