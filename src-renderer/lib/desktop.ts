// The operations only the desktop app has (src-main/electron/desktop-ops.ts, where they are
// validated): dragging files out into the OS and showing restored files in the file manager. They
// go over the same window.cairn bridge as the contract. The renderer may import no types from
// there, so the shapes are repeated here; the shell checks them with its own schemas.
import { ApiCallError } from './api/index.ts';

/** True in the desktop app (the preload's bridge is there), false in a browser. */
export function inDesktopApp(): boolean {
  return typeof window !== 'undefined' && window.cairn !== undefined;
}

async function invoke(op: string, input: unknown): Promise<unknown> {
  if (!window.cairn) throw new ApiCallError('INVALID_ARGUMENT', 'this only works in the desktop app');
  try {
    return await window.cairn.invoke(op, input);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    throw new ApiCallError(typeof e.code === 'string' ? e.code : 'INTERNAL', typeof e.message === 'string' ? e.message : String(err));
  }
}

/** Restores the entry into a temporary folder and starts the OS drag with it. */
export async function dragOut(input: { repositoryId: string; snapshotId: string; path: string }): Promise<void> {
  await invoke('desktop.dragOut', input);
}

/** Shows a path a restore of this session wrote in the file manager (selected in its folder). */
export async function showItemInFolder(input: { jobId: string; path: string }): Promise<void> {
  await invoke('desktop.showInFolder', input);
}
