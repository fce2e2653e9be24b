// Starting at login. macOS and Windows have app.setLoginItemSettings; on Linux Electron has none,
// so the app writes an XDG autostart entry (~/.config/autostart/<id>.desktop), which GNOME, KDE,
// Xfce and the others all read. The app starts hidden in the tray when started this way.
import fs from 'node:fs/promises';
import path from 'node:path';

export const AUTOSTART_ID = 'org.cairn.Cairn';
/** Given on the command line of the login start: open to the tray, no window. */
export const HIDDEN_FLAG = '--hidden';

export interface AutostartEntry {
  /** The program: the AppImage file when run from one ($APPIMAGE), else the executable. */
  exec: string;
  args: readonly string[];
  name?: string;
  icon?: string;
}

/**
 * One argument of an Exec line (Desktop Entry Specification, "The Exec key"): quoted when it has
 * reserved characters, with `"`, `` ` ``, `$` and `\` escaped inside the quotes; `%` doubled
 * (field codes). The string-value escaping of the file format then doubles each backslash again.
 */
export function execArg(arg: string): string {
  const s = arg.replaceAll('%', '%%');
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(s) || s === '' ? `"${s.replace(/(["`$\\])/g, '\\$1')}"` : s;
  return quoted.replaceAll('\\', '\\\\');
}

export function desktopEntry(e: AutostartEntry): string {
  const name = e.name ?? 'Cairn';
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    'Comment=Encrypted, deduplicated backups',
    `Exec=${[e.exec, ...e.args].map(execArg).join(' ')}`,
    ...(e.icon ? [`Icon=${e.icon}`] : []),
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    // Cairn's scheduler must be running for scheduled backups; give the desktop a moment first.
    'X-GNOME-Autostart-Delay=10',
    '',
  ].join('\n');
}

/** $XDG_CONFIG_HOME/autostart/<id>.desktop (default ~/.config). */
export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'autostart', `${AUTOSTART_ID}.desktop`);
}

/** Writes or removes the entry. Writing is atomic (temp file, rename): a half file would not start. */
export async function setLinuxAutostart(file: string, enabled: boolean, entry: AutostartEntry): Promise<void> {
  if (!enabled) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, desktopEntry(entry), { mode: 0o644 });
  await fs.rename(tmp, file);
}

/** On when the entry exists and is not disabled by the desktop's own settings (Hidden=true). */
export async function linuxAutostartEnabled(file: string): Promise<boolean> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return false;
  return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
}
