// The tray model (src-main/tray) as Electron's menu template and icon file. Only the shape changes
// here; what the menu says was decided by the model. The template is plain data (Electron's type,
// imported as a type only), so this runs and is tested in plain Node.
import type { MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import type { TrayAction, TrayIcon, TrayItem, TrayModel } from '../tray/index.ts';

export type ChooseAction = (label: string, action: TrayAction) => void;

function item(i: TrayItem, choose: ChooseAction): MenuItemConstructorOptions {
  switch (i.kind) {
    case 'status': return { label: i.label, enabled: false };
    case 'separator': return { type: 'separator' };
    case 'action': return { label: i.label, enabled: i.enabled, click: () => choose(i.label, i.action) };
    case 'submenu': return { label: i.label, submenu: i.items.map((s) => item(s, choose)) };
  }
}

export function trayMenuTemplate(model: TrayModel, choose: ChooseAction): MenuItemConstructorOptions[] {
  return model.items.map((i) => item(i, choose));
}

/** The drawn states; "overdue" needs the user like a failure does, and shares its icon. */
export type TrayIconState = 'idle' | 'running' | 'error' | 'paused';
export function iconState(icon: TrayIcon): TrayIconState {
  return icon === 'overdue' ? 'error' : icon;
}

/**
 * The tray icon file (rendered by scripts/render-icons.mjs). macOS takes the dark glyph as a
 * template image and tints it itself; elsewhere the glyph contrasts with the panel: a light glyph
 * on a dark panel.
 */
export function trayIconFile(resourcesDir: string, icon: TrayIcon, platform: NodeJS.Platform, darkPanel: boolean): { file: string; template: boolean } {
  const variant = platform === 'darwin' || !darkPanel ? 'dark' : 'light';
  return { file: path.join(resourcesDir, 'build', 'tray', `tray-${iconState(icon)}-${variant}.png`), template: platform === 'darwin' };
}
