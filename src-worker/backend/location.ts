// Repository locations as users write them (restic's syntax): a local path, or "local:PATH".
// rest: and rclone: are remote; sftp: and s3: are recognised so the error names them clearly.
import { CairnError } from '../errors.ts';
import type { Backend } from './backend.ts';
import { LocalBackend } from './local.ts';
import { RcloneBackend } from './rclone.ts';
import { RestBackend } from './rest.ts';
import { RetryBackend } from './retry.ts';
import { S3Backend } from './s3.ts';
import { SftpBackend } from './sftp.ts';

/** Backend options from `-o key=value` (restic's names where it has them). */
export type BackendOptions = Record<string, string>;

/**
 * Secrets a backend may need, handed over in memory by the desktop host (from the OS keyring);
 * never options, so they cannot end up in a profile file or on a command line. Without them the
 * CLI's sources apply: the SSH agent and keys, CAIRN_SFTP_PASSWORD, the AWS credential chain.
 */
export interface BackendCredentials {
  sftpPassword?: string;
  sftpKeyPassphrase?: string;
  /** Used with the option s3.access-key-id (not a secret, so it lives in the profile). */
  s3SecretAccessKey?: string;
  /** HTTP password for a REST server whose URL names the user (rest:http://user@host/) but not the password. */
  restPassword?: string;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

/** An access key pair when both halves are given; otherwise the SDK's own chain finds one. */
function s3Credentials(options: BackendOptions, credentials: BackendCredentials): { accessKeyId: string; secretAccessKey: string } | undefined {
  const id = options['s3.access-key-id'];
  const secret = credentials.s3SecretAccessKey;
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret };
  if (secret && !id) throw new CairnError('INVALID_ARGUMENT', 'an S3 secret key was given without its access key id: set the option s3.access-key-id');
  return undefined;
}

/** `-o <scheme>.connections=N` (restic's option name), checked before anything connects. */
function connectionsOption(options: BackendOptions, scheme: string): number | undefined {
  const raw = options[`${scheme}.connections`];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 64) {
    throw new CairnError('INVALID_ARGUMENT', `-o ${scheme}.connections=${raw}: use a whole number from 1 to 64`);
  }
  return n;
}

/** The options each kind of repository takes (restic's names where it has them). */
const KNOWN_OPTIONS: Record<string, string[]> = {
  local: [],
  rest: ['rest.connections'],
  rclone: [],
  sftp: ['sftp.key', 'sftp.known-hosts', 'sftp.accept-new', 'sftp.connections'],
  s3: ['s3.region', 's3.connections', 's3.access-key-id'],
};

/**
 * As restic: an option for this kind of repository that it does not know is an error (a typo
 * such as sftp.conections would otherwise do nothing); options for other kinds are left alone,
 * since one command line may name two repositories (copy).
 */
function checkOptions(kind: string, options: BackendOptions): void {
  for (const key of Object.keys(options)) {
    const dot = key.indexOf('.');
    if (dot <= 0) throw new CairnError('INVALID_ARGUMENT', `-o ${key}: options are named kind.option, e.g. sftp.key or s3.region`);
    if (key.slice(0, dot) !== kind) continue;
    const known = KNOWN_OPTIONS[kind] ?? [];
    if (!known.includes(key)) {
      throw new CairnError('INVALID_ARGUMENT', `option ${key} is not known${known.length ? `: ${kind} repositories take ${known.join(', ')}` : `: ${kind} repositories take no options`}`);
    }
  }
}

export function openBackend(location: string, options: BackendOptions = {}, credentials: BackendCredentials = {}): Backend {
  if (!location) throw new CairnError('INVALID_ARGUMENT', 'no repository given: use -r/--repo or set CAIRN_REPOSITORY');
  const scheme = /^([a-z0-9]+):/.exec(location)?.[1];
  checkOptions(!scheme || scheme.length === 1 ? 'local' : scheme, options);
  if (!scheme || scheme.length === 1 /* a Windows drive letter */) return new LocalBackend(location);
  if (scheme === 'local') return new LocalBackend(location.slice('local:'.length));
  // Remote backends get retries for transient faults (dropped connections, HTTP 5xx, 429).
  if (scheme === 'rest') return new RetryBackend(new RestBackend(location.slice('rest:'.length), { connections: connectionsOption(options, 'rest'), password: credentials.restPassword }));
  if (scheme === 'rclone') return new RetryBackend(RcloneBackend.open(location.slice('rclone:'.length)));
  if (scheme === 'sftp') {
    return new RetryBackend(new SftpBackend(location.slice('sftp:'.length), {
      key: options['sftp.key'],
      knownHosts: options['sftp.known-hosts'],
      acceptNew: truthy(options['sftp.accept-new']) || truthy(process.env.CAIRN_SFTP_ACCEPT_NEW),
      connections: connectionsOption(options, 'sftp'),
      password: credentials.sftpPassword,
      keyPassphrase: credentials.sftpKeyPassphrase,
    }));
  }
  if (scheme === 's3') return new RetryBackend(new S3Backend(location.slice('s3:'.length), { region: options['s3.region'], connections: connectionsOption(options, 's3'), credentials: s3Credentials(options, credentials) }));
  if (['b2', 'azure', 'gs', 'swift'].includes(scheme)) {
    throw new CairnError('INVALID_ARGUMENT', `repository type "${scheme}:" is not supported by Cairn yet: use its S3-compatible API (s3:...) or rclone:${scheme === 'b2' ? 'b2remote:bucket/path' : 'remote:path'}`);
  }
  return new LocalBackend(location);
}
