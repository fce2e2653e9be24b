// Where the application keeps its configuration. Each OS has its own convention, and users expect
// their settings where the platform's other apps keep theirs (and where their backups of settings
// look). CAIRN_CONFIG_DIR overrides everything so tests and portable installs never touch the
// real one.
import os from 'node:os';
import path from 'node:path';

export interface ConfigDirInputs {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

/** The folder holding profiles.json (and, when opted into, the password file). */
export function configDir(inputs: ConfigDirInputs = { env: process.env, platform: process.platform, home: os.homedir() }): string {
  const { env, platform, home } = inputs;
  if (env.CAIRN_CONFIG_DIR) return env.CAIRN_CONFIG_DIR;
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Cairn');
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Cairn');
  }
  // XDG: only an absolute XDG_CONFIG_HOME counts (the spec says relative ones are to be ignored).
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, 'cairn');
}
