// Repository locations as users write them (restic's syntax): a local path, or "local:PATH".
// Remote schemes (sftp:, s3:, rest:, rclone:) are parsed here too, so errors name them clearly.
import { CairnError } from '../errors.ts';
import type { Backend } from './backend.ts';
import { LocalBackend } from './local.ts';

export function openBackend(location: string): Backend {
  if (!location) throw new CairnError('INVALID_ARGUMENT', 'no repository given: use -r/--repo or set CAIRN_REPOSITORY');
  const scheme = /^([a-z0-9]+):/.exec(location)?.[1];
  if (!scheme || scheme.length === 1 /* a Windows drive letter */) return new LocalBackend(location);
  if (scheme === 'local') return new LocalBackend(location.slice('local:'.length));
  if (['sftp', 's3', 'rest', 'rclone', 'b2', 'azure', 'gs', 'swift'].includes(scheme)) {
    throw new CairnError('INVALID_ARGUMENT', `repository type "${scheme}:" is not supported by this version of Cairn yet: use a local path`);
  }
  return new LocalBackend(location);
}
