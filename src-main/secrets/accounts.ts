// What a secret is called in the keyring: service "cairn", account "repo:<id>:<kind>". One
// account per secret, so deleting a repository can delete exactly its secrets and nothing else.
import { CairnError } from '../../src-worker/index.ts';

export const SERVICE = 'cairn';

export const SecretKinds = ['password', 'sftp-password', 'sftp-key-passphrase', 's3-secret-key', 'rest-password'] as const;
export type SecretKind = (typeof SecretKinds)[number];

export function secretAccount(repositoryId: string, kind: SecretKind): string {
  // The same rule as profile ids (src-main/profiles/schema.ts): a ':' would make names ambiguous.
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(repositoryId)) {
    throw new CairnError('INVALID_ARGUMENT', `"${repositoryId}" is not a repository id: use lowercase letters, digits, "-" or "_"`);
  }
  return `repo:${repositoryId}:${kind}`;
}
