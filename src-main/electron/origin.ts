// Where the desktop app's own UI lives: a privileged custom scheme (cairn://app/…) served from the
// built renderer folder. Its one origin is what IPC senders and navigations are checked against;
// a file:// page or any web page gets nothing.
export const APP_SCHEME = 'cairn';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** True for URLs of the app's own UI (exact scheme and host, nothing else). */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

export interface SenderInfo {
  /** The id of the webContents that sent the message. */
  webContentsId: number;
  /** URL of the frame that sent it; null when the frame is gone (navigated away, destroyed). */
  frameUrl: string | null;
  /** Whether the sending frame is the top frame (iframes get nothing, even our own). */
  isMainFrame: boolean;
}

/** An IPC message is served only from the app's own window, its top frame, showing the app's UI. */
export function isTrustedSender(sender: SenderInfo, appWebContentsIds: ReadonlySet<number>): boolean {
  return appWebContentsIds.has(sender.webContentsId) && sender.isMainFrame && sender.frameUrl !== null && isAppUrl(sender.frameUrl);
}
