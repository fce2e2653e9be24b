// The two IPC channels, the whole IPC surface: calls in (ipcRenderer.invoke), events out
// (webContents.send). preload.cts repeats the names (a sandboxed preload cannot import our
// modules); test/app/electron-shell.test.ts checks that the two agree.
export const INVOKE_CHANNEL = 'cairn:invoke';
export const EVENT_CHANNEL = 'cairn:event';
