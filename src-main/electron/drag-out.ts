// Dragging a file or a folder out of a snapshot onto the desktop or into another program: the OS
// needs a real file at drag start, so the entry is first restored, through the job service like any restore
// (queued per repository, logged, in the history), into a fresh temporary folder. The caller then
// hands the returned path to webContents.startDrag.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../src-worker/index.ts';
import type { JobService } from '../jobs/types.ts';

export interface DragOutRequest {
  repositoryId: string;
  snapshotId: string;
  /** Absolute path of a file or folder inside the snapshot (not "/"). */
  path: string;
}

/** Restores the one file or folder and returns where it is on disk. */
export async function prepareDragOut(jobs: JobService, r: DragOutRequest, tmpRoot: string = os.tmpdir()): Promise<string> {
  const target = await fs.mkdtemp(path.join(tmpRoot, 'cairn-drag-'));
  const job = await jobs.start({ kind: 'restore', repositoryId: r.repositoryId, snapshotId: r.snapshotId, target, include: [r.path] });
  const end = await jobs.wait(job.id);
  if (end.state !== 'succeeded') {
    await fs.rm(target, { recursive: true, force: true });
    throw new CairnError('INTERNAL', `${r.path} could not be restored for dragging: ${end.error ?? end.state}`);
  }
  // Restores keep the snapshot's path under the target; the schema already refused "..".
  const file = path.join(target, ...r.path.split('/').filter(Boolean));
  const rel = path.relative(target, file);
  const st = rel.startsWith('..') || path.isAbsolute(rel) ? null : await fs.lstat(file).catch(() => null);
  // A folder's restore wrote only inside it (the include names it): dragging it hands over all of it.
  if (!st || !(st.isFile() || st.isDirectory()) || rel === '') {
    await fs.rm(target, { recursive: true, force: true });
    throw new CairnError('NOT_FOUND', `${r.path} is not a file or folder in snapshot ${r.snapshotId}: only files and folders can be dragged out`);
  }
  return file;
}
