// The IPC surface of the main process: one handler for calls, one channel for events. A call is
// served only when it comes from the app's own window, top frame, showing the app's own UI;
// everything else about it (the name, the input) is validated by invoke() through the contract.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ApiContext } from '../api/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels.ts';
import type { DesktopHandlers } from './desktop-ops.ts';
import { invoke, type InvokeResult } from './invoke.ts';
import { isTrustedSender } from './origin.ts';

export interface IpcOptions {
  api: ApiContext;
  /** The desktop operations, for the window that called (a drag starts in that window). */
  desktop: (sender: WebContents) => DesktopHandlers;
  /** The app's windows: the only ones served and told events. */
  windows: () => readonly WebContents[];
}

function senderOf(event: IpcMainInvokeEvent) {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    frameUrl: frame ? frame.url : null,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
  };
}

/** Registers the handler and the event fan-out; returns the function that removes both. */
export function registerIpc(opts: IpcOptions): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, op: unknown, input: unknown): Promise<InvokeResult> => {
    const ids = new Set(opts.windows().map((w) => w.id));
    if (!isTrustedSender(senderOf(event), ids)) {
      return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'this page may not call Cairn: only the app\'s own window can' } };
    }
    return invoke(op, input, opts.api, opts.desktop(event.sender));
  });
  const off = opts.api.events.subscribe((e) => {
    for (const wc of opts.windows()) if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, e);
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    off();
  };
}
