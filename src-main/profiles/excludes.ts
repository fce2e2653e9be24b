// Ready-made exclude lists, per platform, so a plan can say "skip caches and trash" without the
// user knowing where each OS hides them. Patterns use the engine's exclude syntax (restic's:
// glob, `**` across folders, `~` for the home folder is expanded by the caller's walker).
export const ExcludePresetIds = ['caches', 'trash', 'node_modules', 'build-output', 'vm-images'] as const;
export type ExcludePresetId = (typeof ExcludePresetIds)[number];
export type PresetPlatform = 'linux' | 'darwin' | 'win32';

type PresetTable = Record<ExcludePresetId, Record<PresetPlatform | 'all', readonly string[]>>;

const PRESETS: PresetTable = {
  caches: {
    all: [],
    linux: ['~/.cache', '/var/cache', '/var/tmp', '/tmp'],
    darwin: ['~/Library/Caches', '/Library/Caches', '/private/var/folders', '/private/tmp'],
    win32: ['C:/Users/*/AppData/Local/Temp', 'C:/Users/*/AppData/Local/*/Cache', 'C:/Windows/Temp'],
  },
  trash: {
    all: [],
    linux: ['~/.local/share/Trash', '/**/.Trash-*'],
    darwin: ['~/.Trash', '/Volumes/*/.Trashes'],
    win32: ['*/$RECYCLE.BIN'],
  },
  // The same on every OS: reinstalled from a lock file in a minute, often the bulk of a project.
  node_modules: { all: ['**/node_modules', '**/bower_components'], linux: [], darwin: [], win32: [] },
  'build-output': {
    all: ['**/target/debug', '**/target/release', '**/__pycache__', '**/*.pyc', '**/.gradle', '**/.next', '**/.venv'],
    linux: [],
    darwin: ['~/Library/Developer/Xcode/DerivedData'],
    win32: ['**/bin/Debug', '**/obj/Debug'],
  },
  // Large, rewritten in place, and usually backed up (if at all) by the hypervisor's own tools.
  'vm-images': {
    all: ['**/*.vdi', '**/*.vmdk', '**/*.qcow2', '**/*.vhd', '**/*.vhdx'],
    linux: ['/var/lib/libvirt/images', '~/.local/share/gnome-boxes/images'],
    darwin: ['~/Library/Containers/com.docker.docker', '~/Parallels', '~/Virtual Machines.localized'],
    win32: ['C:/ProgramData/DockerDesktop', 'C:/Users/*/AppData/Local/Docker/wsl'],
  },
};

/** The patterns of the given presets on `platform`, without duplicates, in preset order. */
export function presetPatterns(ids: readonly ExcludePresetId[], platform: PresetPlatform): string[] {
  const out = new Set<string>();
  for (const id of ids) for (const p of [...PRESETS[id].all, ...PRESETS[id][platform]]) out.add(p);
  return [...out];
}

export function presetPlatform(platform: NodeJS.Platform = process.platform): PresetPlatform {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}
