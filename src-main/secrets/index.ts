// Secrets: repository passwords and backend credentials, in the OS keyring (or, only when the user
// opts in, a 0600 file). Nothing secret is stored anywhere else.
import { SecretKinds, secretAccount } from './accounts.ts';
import { KeyringStore } from './keyring.ts';
import { PasswordFileStore } from './password-file.ts';
import { SessionSecretStore } from './session.ts';
import type { SecretStore } from './store.ts';
import { UnsavedStore } from './unsaved.ts';

export { SERVICE, SecretKinds, secretAccount, type SecretKind } from './accounts.ts';
export { redact, REDACTED } from './redact.ts';
export { KeyringStore, KEYRING_HELP, type KeyringProbe } from './keyring.ts';
export { PasswordFileStore, PASSWORD_FILE } from './password-file.ts';
export type { SecretStore } from './store.ts';
export { backendCredentials } from './credentials.ts';
export { SessionSecretStore } from './session.ts';

export type SecretsState =
  | { state: 'keyring'; store: SecretStore }
  | { state: 'file'; store: SecretStore; notice: string }
  | { state: 'unavailable'; message: string }
  /** No keyring and no password file: what is typed in is kept in memory, until Cairn stops. */
  | { state: 'session'; store: SessionSecretStore; message: string };

export interface OpenSecretsOptions {
  configDir: string;
  /** The user chose, in Settings, to keep secrets in a 0600 file when there is no keyring. */
  allowPasswordFile: boolean;
  keyring?: KeyringStore;
}

/** Picks where secrets live: the keyring when it answers; else the password file if opted into. */
export async function openSecrets(options: OpenSecretsOptions): Promise<SecretsState> {
  const keyring = options.keyring ?? new KeyringStore();
  const probe = await keyring.probe();
  if (probe.available) return { state: 'keyring', store: keyring };
  if (!options.allowPasswordFile) return { state: 'unavailable', message: probe.message };
  const store = new PasswordFileStore(options.configDir);
  return { state: 'file', store, notice: `no system keyring: passwords are kept in ${store.file}, readable only by you` };
}

/**
 * The same state with its store behind a SessionSecretStore, so passwords the user did not want
 * saved still serve this process. Without any place to save them (unavailable), every secret is
 * kept that way: Cairn works until it stops, and says so. Hosts wrap once and give the result to
 * both the job runner and the API, which must see the same memory.
 */
export function withSessionSecrets(state: SecretsState): SecretsState {
  if (state.state === 'session' || (state.state !== 'unavailable' && state.store instanceof SessionSecretStore)) return state;
  if (state.state === 'unavailable') return { state: 'session', store: new SessionSecretStore(new UnsavedStore(state.message)), message: state.message };
  return { ...state, store: new SessionSecretStore(state.store) };
}

/** Deletes every secret of a repository (after its profile is deleted); returns the kinds removed. */
export async function deleteRepositorySecrets(store: SecretStore, repositoryId: string): Promise<string[]> {
  const removed: string[] = [];
  for (const kind of SecretKinds) if (await store.delete(secretAccount(repositoryId, kind))) removed.push(kind);
  return removed;
}
