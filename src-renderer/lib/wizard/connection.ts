// A connection test's report in plain language: a headline, the engine's detail, and what to do,
// depending on the kind of storage (a closed port means something else for a drive and a server).
import type { ConnectionReport } from '../api/index.ts';
import type { StorageKind } from './location.ts';

export interface ConnectionVerdict {
  ok: boolean;
  headline: string;
  detail: string;
  step: string | null;
  /** What the password step does next: create a repository, or open the one found. */
  mode: 'create' | 'open' | null;
}

const UNREACHABLE_STEP: Record<StorageKind, string> = {
  local: 'Check that the drive is plugged in and mounted, and that the folder\'s path is typed correctly.',
  sftp: 'Check the server\'s name and port, that the server is running, and that this computer can reach it (network, VPN, firewall). If the server is new to this computer, connect once with "ssh" so its key is known.',
  s3: 'Check the address, the region and the bucket name, and that this computer is online.',
  rest: 'Check the address and port, that the REST server (rest-server or "rclone serve restic") is running, and that this computer can reach it (network, VPN, firewall).',
  rclone: 'Check that the remote works on the computer running Cairn: "rclone lsd REMOTE:" should list its folders.',
};

const AUTH_STEP: Record<StorageKind, string> = {
  local: 'Give your user permission to write to that folder, or choose another one.',
  sftp: 'Check the user name, and that your SSH key is loaded (ssh-add) or is ~/.ssh/id_ed25519 on the computer running Cairn.',
  s3: 'Check the access key ID and secret key (or, when both are empty, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on the computer running Cairn).',
  rest: 'Check the user name and password: they must match an entry in the server\'s .htpasswd file.',
  rclone: 'Check the remote\'s login with "rclone config reconnect REMOTE:" on the computer running Cairn.',
};

/** rclone problems that have a more exact answer than "could not reach". */
function rcloneVerdict(r: ConnectionReport): ConnectionVerdict | null {
  if (/didn't find section in config file/i.test(r.message)) {
    return { ok: false, headline: 'There is no rclone remote by that name on the computer running Cairn.', detail: r.message, mode: null,
      step: 'Create it with "rclone config", or check the spelling: "rclone listremotes" lists the remotes there are.' };
  }
  if (/is not installed/i.test(r.message)) {
    return { ok: false, headline: 'rclone is not installed on the computer running Cairn.', detail: r.message, mode: null,
      step: 'Install rclone (see rclone.org/install), set up the remote with "rclone config", then test again.' };
  }
  return null;
}

export function verdict(kind: StorageKind, r: ConnectionReport): ConnectionVerdict {
  const exact = kind === 'rclone' && !r.reachable ? rcloneVerdict(r) : null;
  if (exact) return exact;
  if (!r.reachable) return { ok: false, headline: 'Cairn could not reach this storage.', detail: r.message, step: UNREACHABLE_STEP[kind], mode: null };
  if (!r.authenticated) return { ok: false, headline: 'The storage refused access.', detail: r.message, step: AUTH_STEP[kind], mode: null };
  if (r.repository === 'missing' && r.otherEntries) {
    return { ok: true, headline: 'Connected. There is no backup repository here yet, so Cairn will create a new one.', mode: 'create', step: null,
      detail: `This folder is not empty (${r.otherEntries} ${r.otherEntries === 1 ? 'item' : 'items'}): the repository's folders would go beside what is there. Unless that is what you want, choose an empty folder or a new one, such as a "Cairn backups" folder on the drive.` };
  }
  if (r.repository === 'missing') return { ok: true, headline: 'Connected. There is no backup repository here yet, so Cairn will create a new one.', detail: '', step: null, mode: 'create' };
  if (r.repository === 'exists') return { ok: true, headline: 'Connected. There is a backup repository here already: you will open it with its password.', detail: '', step: null, mode: 'open' };
  return { ok: false, headline: 'Cairn could not tell whether there is a repository here.', detail: r.message, step: UNREACHABLE_STEP[kind], mode: null };
}
