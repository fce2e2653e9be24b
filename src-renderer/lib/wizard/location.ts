// Where backups go, as the form fields people fill in, and the location string the engine takes
// (the CLI's syntax: a path, sftp://user@host:port//path, s3:https://endpoint/bucket/prefix,
// rest:http://user@host:8000/path/, rclone:remote:path).
export type StorageKind = 'local' | 'sftp' | 's3' | 'rest' | 'rclone';

export type S3Preset = 'aws' | 'b2' | 'wasabi' | 'minio' | 'custom';

export interface StorageFields {
  kind: StorageKind;
  localPath: string;
  sftpUser: string;
  sftpHost: string;
  sftpPort: string;
  sftpPath: string;
  /** Only when the server takes a password instead of an SSH key; sent once, kept in the keyring. */
  sftpPassword: string;
  s3Preset: S3Preset;
  s3Region: string;
  s3Endpoint: string;
  s3Bucket: string;
  s3Prefix: string;
  /** Empty: the access key comes from the computer running Cairn (AWS_* variables, profile). */
  s3AccessKeyId: string;
  /** Sent once with the repository, kept in the keyring; never stored in the profile. */
  s3SecretKey: string;
  /** The REST server's address, such as http://nas.local:8000/backups/ (no user or password in it). */
  restUrl: string;
  restUser: string;
  /** Sent once with the repository, kept in the keyring; the location only names the user. */
  restPassword: string;
  /** The name of a remote set up with `rclone config` on the computer running Cairn. */
  rcloneRemote: string;
  rclonePath: string;
}

export function emptyStorage(): StorageFields {
  return {
    kind: 'local', localPath: '',
    sftpUser: '', sftpHost: '', sftpPort: '22', sftpPath: '', sftpPassword: '',
    s3Preset: 'aws', s3Region: 'us-east-1', s3Endpoint: '', s3Bucket: '', s3Prefix: 'cairn', s3AccessKeyId: '', s3SecretKey: '',
    restUrl: '', restUser: '', restPassword: '',
    rcloneRemote: '', rclonePath: 'cairn',
  };
}

/** `region`: the service's usual first region, filled in when the service is picked (B2's look
 * nothing like AWS's); `regionHelp`: where the user finds theirs. */
export const S3_PRESETS: Record<S3Preset, { label: string; endpoint: (region: string) => string; needsRegion: boolean; needsEndpoint: boolean; region: string; regionHelp: string }> = {
  aws: { label: 'Amazon S3', endpoint: (r) => `https://s3.${r}.amazonaws.com`, needsRegion: true, needsEndpoint: false, region: 'us-east-1', regionHelp: 'The bucket\'s region, as the AWS console shows it (such as eu-central-1).' },
  b2: { label: 'Backblaze B2', endpoint: (r) => `https://s3.${r}.backblazeb2.com`, needsRegion: true, needsEndpoint: false, region: 'us-west-004', regionHelp: 'The part of the bucket\'s S3 endpoint after "s3.", such as us-west-004 in s3.us-west-004.backblazeb2.com.' },
  wasabi: { label: 'Wasabi', endpoint: (r) => `https://s3.${r}.wasabisys.com`, needsRegion: true, needsEndpoint: false, region: 'us-east-1', regionHelp: 'The bucket\'s region, as the Wasabi console shows it (such as eu-central-1).' },
  minio: { label: 'MinIO', endpoint: () => '', needsRegion: false, needsEndpoint: true, region: '', regionHelp: '' },
  custom: { label: 'Other S3-compatible service', endpoint: () => '', needsRegion: false, needsEndpoint: true, region: '', regionHelp: '' },
};

/** Switches the service; a region left at the old service's default becomes the new one's. */
export function choosePreset(s: StorageFields, preset: S3Preset): void {
  const before = S3_PRESETS[s.s3Preset].region;
  s.s3Preset = preset;
  if (s.s3Region.trim() === '' || s.s3Region.trim() === before) s.s3Region = S3_PRESETS[preset].region;
}

/** What is missing or wrong in the fields, for the person filling them in; null when complete. */
export function storageProblem(s: StorageFields): string | null {
  switch (s.kind) {
    case 'local':
      if (!s.localPath.trim()) return 'Type the folder where backups should go.';
      if (!isAbsolute(s.localPath.trim())) return 'Type the full path of the folder, starting with / (or a drive letter such as D:\\ on Windows).';
      return null;
    case 'sftp': {
      if (!s.sftpHost.trim()) return 'Type the server\'s name or address.';
      if (/[\s/@:]/.test(s.sftpHost.trim()) && !/^\[[0-9a-f:]+\]$/i.test(s.sftpHost.trim())) return 'The server name cannot contain spaces, "/", "@" or ":" (put the port in its own field).';
      const port = Number(s.sftpPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) return 'The port is a number from 1 to 65535 (SSH uses 22).';
      if (!s.sftpPath.trim()) return 'Type the folder on the server, such as /srv/backup.';
      return null;
    }
    case 's3': {
      const preset = S3_PRESETS[s.s3Preset];
      if (preset.needsEndpoint && !/^https?:\/\/[^/\s]+$/.test(s.s3Endpoint.trim().replace(/\/+$/, ''))) return 'Type the service\'s address, such as https://minio.example.com:9000.';
      if (preset.needsRegion && !/^[a-z0-9-]+$/.test(s.s3Region.trim())) return 'Type the region, such as us-east-1.';
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s.s3Bucket.trim())) return 'Type the bucket\'s name (lowercase letters, digits, "." and "-").';
      if (!s.s3AccessKeyId.trim() !== !s.s3SecretKey) return 'Type both the access key ID and the secret key, or leave both empty to use the ones set up on this computer.';
      return null;
    }
    case 'rest': {
      const url = parseRestUrl(s.restUrl);
      if (!url) return 'Type the REST server\'s address, starting with http:// or https://, such as http://nas.local:8000/.';
      if (url.username || url.password) return 'Type the user name and password in their own fields, not in the address (the password is kept in the keyring).';
      if (/[\s:/@]/.test(s.restUser.trim())) return 'The user name cannot contain spaces, ":", "/" or "@".';
      if (s.restPassword && !s.restUser.trim()) return 'Type the user name that goes with the password.';
      return null;
    }
    case 'rclone':
      if (!s.rcloneRemote.trim()) return 'Type the name of the rclone remote, as "rclone listremotes" shows it (without the ":").';
      if (!/^[\w.@-][\w.@ -]*$/.test(s.rcloneRemote.trim().replace(/:$/, ''))) return 'An rclone remote\'s name has letters, digits, "_", "-", "." and "@" (as "rclone listremotes" shows it).';
      return null;
  }
}

/** The REST address as typed, when it is an http(s) URL with a host; null otherwise. */
function parseRestUrl(text: string): URL | null {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url : null;
  } catch {
    return null;
  }
}

/** The kind of storage a saved location is (for messages about a repository already set up). */
export function storageKindOf(location: string): StorageKind {
  const scheme = /^([a-z0-9]+):/.exec(location)?.[1];
  return scheme === 'sftp' || scheme === 's3' || scheme === 'rest' || scheme === 'rclone' ? scheme : 'local';
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** The engine's location string; call only when storageProblem() is null. */
export function toLocation(s: StorageFields): string {
  switch (s.kind) {
    case 'local':
      return s.localPath.trim();
    case 'sftp': {
      const user = s.sftpUser.trim() ? `${encodeURIComponent(s.sftpUser.trim())}@` : '';
      // "//host//abs" is an absolute path, "//host/rel" one relative to the login folder (restic's
      // rule), so an absolute folder's own "/" makes the double slash.
      return `sftp://${user}${s.sftpHost.trim()}:${Number(s.sftpPort)}/${s.sftpPath.trim()}`;
    }
    case 's3': {
      const preset = S3_PRESETS[s.s3Preset];
      const endpoint = (preset.needsEndpoint ? s.s3Endpoint.trim() : preset.endpoint(s.s3Region.trim())).replace(/\/+$/, '');
      const prefix = s.s3Prefix.trim().replace(/^\/+|\/+$/g, '');
      return `s3:${endpoint}/${s.s3Bucket.trim()}${prefix ? `/${prefix}` : ''}`;
    }
    case 'rest': {
      // The user name is part of the address (restic's form); the password never is.
      const url = parseRestUrl(s.restUrl)!;
      url.username = s.restUser.trim();
      url.search = '';
      url.hash = '';
      if (!url.pathname.endsWith('/')) url.pathname += '/';
      return `rest:${url.href}`;
    }
    case 'rclone':
      return `rclone:${s.rcloneRemote.trim().replace(/:$/, '')}:${s.rclonePath.trim().replace(/^\/+|\/+$/g, '')}`;
  }
}

/** Backend options the location needs besides the string itself. */
export function storageOptions(s: StorageFields): Record<string, string> {
  const options: Record<string, string> = {};
  if (s.kind === 's3' && S3_PRESETS[s.s3Preset].needsRegion) options['s3.region'] = s.s3Region.trim();
  if (s.kind === 's3' && s.s3AccessKeyId.trim()) options['s3.access-key-id'] = s.s3AccessKeyId.trim();
  return options;
}

/** The secrets typed for this storage, for the API (which puts them in the keyring); none when empty. */
export function storageCredentials(s: StorageFields): { sftpPassword?: string; s3SecretAccessKey?: string; restPassword?: string } | undefined {
  if (s.kind === 'sftp' && s.sftpPassword) return { sftpPassword: s.sftpPassword };
  if (s.kind === 's3' && s.s3SecretKey) return { s3SecretAccessKey: s.s3SecretKey };
  if (s.kind === 'rest' && s.restPassword) return { restPassword: s.restPassword };
  return undefined;
}

/** A default name for the repository, from where it is. */
export function storageName(s: StorageFields): string {
  switch (s.kind) {
    case 'local': return `Folder ${s.localPath.trim().split(/[\\/]/).filter(Boolean).pop() ?? s.localPath.trim()}`.slice(0, 100);
    case 'sftp': return `SFTP ${s.sftpHost.trim()}`.slice(0, 100);
    case 's3': return `${S3_PRESETS[s.s3Preset].label} ${s.s3Bucket.trim()}`.slice(0, 100);
    case 'rest': return `REST ${parseRestUrl(s.restUrl)?.host ?? s.restUrl.trim()}`.slice(0, 100);
    case 'rclone': return `rclone ${s.rcloneRemote.trim().replace(/:$/, '')}`.slice(0, 100);
  }
}
