// The desktop app's main process: the same services as `cairn serve` (src-main/host), shown in a
// sandboxed window over IPC, with a tray icon, native notifications and start at login. Every
// decision that does not need Electron lives in the plain modules beside this file (and is tested
// there); this file only connects them to Electron's objects.
import { app, BrowserWindow, Menu, nativeImage, nativeTheme, Notification, protocol, session, shell, Tray, type WebContents } from 'electron';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheRoot } from '../../src-worker/index.ts';
import { restoredPath } from '../api/index.ts';
import { packageRoot, startApp, type CairnApp } from '../host/index.ts';
import type { CairnNotification } from '../notify/index.ts';
import { configDir } from '../profiles/index.ts';
import type { TrayModel } from '../tray/index.ts';
import { autostartFile, HIDDEN_FLAG, linuxAutostartEnabled, setLinuxAutostart } from './autostart.ts';
import { rendererHeaders } from './csp.ts';
import type { DesktopHandlers } from './desktop-ops.ts';
import { prepareDragOut } from './drag-out.ts';
import { registerIpc } from './ipc.ts';
import { navigateDecision, windowOpenDecision } from './navigation.ts';
import { APP_ENTRY, APP_SCHEME } from './origin.ts';
import { resolveRendererFile } from './renderer-files.ts';
import { trayIconFile, trayMenuTemplate } from './tray-menu.ts';

const root = packageRoot();
const resources = path.join(root, 'resources');
const uiDir = path.join(root, 'dist-renderer');
const preload = path.join(path.dirname(fileURLToPath(import.meta.url)), 'preload.cjs');
const startHidden = process.argv.includes(HIDDEN_FLAG);

// Must happen before "ready": the app's scheme is a secure, standard origin of its own.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

let cairn: CairnApp | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let quitting = false;

function showWindow(): void {
  if (!window || window.isDestroyed()) window = createWindow();
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Cairn',
    icon: path.join(resources, 'build', 'icons', '256x256.png'),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternally) void shell.openExternal(d.openExternally);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (event) => {
    const d = navigateDecision(event.url);
    if (d.allow) return;
    event.preventDefault();
    if (d.openExternally) void shell.openExternal(d.openExternally);
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  // Closing the window hides it: backups keep running from the tray. Quit is in the tray menu.
  win.on('close', (event) => {
    if (quitting) return;
    event.preventDefault();
    win.hide();
  });
  win.once('ready-to-show', () => {
    if (!startHidden || window !== win) win.show();
  });
  void win.loadURL(APP_ENTRY);
  return win;
}

function appWindows(): WebContents[] {
  return window && !window.isDestroyed() ? [window.webContents] : [];
}

function notify(n: CairnNotification): void {
  if (!Notification.isSupported()) return;
  const shown = new Notification({ title: n.title, body: n.body, urgency: n.urgency, icon: path.join(resources, 'build', 'icons', '256x256.png') });
  shown.on('click', () => showWindow());
  shown.show();
}

function renderTray(model: TrayModel): void {
  if (!tray) return;
  const icon = trayIconFile(resources, model.icon, process.platform, nativeTheme.shouldUseDarkColors);
  const image = nativeImage.createFromPath(icon.file);
  if (icon.template) image.setTemplateImage(true);
  tray.setImage(image);
  tray.setToolTip(model.tooltip);
  tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(model, (label, action) => {
    if (!cairn) return;
    // A menu shown for a while holds old times; act on what the item means now.
    const now = cairn.tray.actionNow(label, action);
    try {
      if (cairn.trayAction(now)) return;
    } catch (err) {
      notify({ kind: 'job-failed', title: 'Cairn', body: (err as Error).message, urgency: 'normal', planIds: [], at: Date.now() });
      return;
    }
    if (now.type === 'open') showWindow();
    if (now.type === 'quit') app.quit();
  })));
}

/** Start at login: the system's login items on macOS and Windows, an XDG autostart entry on Linux. */
function autostart(): { get(): Promise<boolean>; set(enabled: boolean): Promise<void> } {
  const args = app.isPackaged ? [HIDDEN_FLAG] : [app.getAppPath(), HIDDEN_FLAG];
  if (process.platform === 'linux') {
    const file = autostartFile(process.env, os.homedir());
    // From an AppImage the executable lives in a mount that is gone after exit: start the image.
    const exec = process.env.APPIMAGE ?? process.execPath;
    return {
      get: () => linuxAutostartEnabled(file),
      set: (enabled) => setLinuxAutostart(file, enabled, { exec, args }),
    };
  }
  return {
    get: async () => app.getLoginItemSettings().openAtLogin,
    set: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args }),
  };
}

function desktopHandlers(sender: WebContents): DesktopHandlers {
  return {
    async 'desktop.dragOut'(input) {
      const file = await prepareDragOut(cairn!.jobs, input);
      sender.startDrag({ file, icon: path.join(resources, 'build', 'icons', '64x64.png') });
      return { file };
    },
    async 'desktop.showInFolder'(input) {
      const found = await restoredPath(cairn!.jobs, input.jobId, input.path);
      shell.showItemInFolder(found.path);
      return { shown: found.path };
    },
  };
}

async function serveRenderer(request: Request): Promise<Response> {
  const r = await resolveRendererFile(uiDir, request.url);
  if (r.status !== 200) return new Response(null, { status: r.status, headers: rendererHeaders('text/plain; charset=utf-8') });
  return new Response(new Uint8Array(await fs.readFile(r.file)), { headers: rendererHeaders(r.type) });
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle(APP_SCHEME, serveRenderer);
  // The UI needs no camera, microphone, location or notifications permission from the web layer.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  cairn = await startApp({
    configDir: configDir(),
    cacheDir: defaultCacheRoot(),
    allowPasswordFile: process.argv.includes('--allow-password-file'),
    warn: (message) => console.warn(`Warning: ${message}`),
    deliverNotification: notify,
    // Settings → Start at login goes through the API like every other setting.
    autostart: autostart(),
    onTrayModel: renderTray,
  });
  const offIpc = registerIpc({ api: cairn.api, desktop: desktopHandlers, windows: appWindows });

  tray = new Tray(nativeImage.createEmpty());
  tray.on('click', () => showWindow());
  renderTray(cairn.tray.model);
  nativeTheme.on('updated', () => cairn && renderTray(cairn.tray.model));

  if (!startHidden) showWindow();

  app.on('before-quit', (event) => {
    if (!cairn) return;
    // Quit waits for the services to stop: cancelled jobs leave their repositories valid.
    event.preventDefault();
    quitting = true;
    const closing = cairn;
    cairn = undefined;
    offIpc();
    void closing.close().finally(() => {
      tray?.destroy();
      app.exit(0);
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another Cairn runs (two schedulers would run every plan twice): it shows its window instead.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  // Closing the last window does not quit: the tray keeps the app (and its schedules) running.
  app.on('window-all-closed', () => {});
  app.on('activate', () => showWindow());
  main().catch((err: unknown) => {
    console.error(`Cairn could not start: ${err instanceof Error ? err.message : String(err)}`);
    app.exit(1);
  });
}
