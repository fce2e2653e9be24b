// The secrets store as the API sees it: present, or absent with the reason (no keyring, and the
// user did not opt into the password file). Operations that need no secret keep working without.
import { CairnError, type BackendCredentials } from '../../src-worker/index.ts';
import { backendCredentials, secretAccount, SessionSecretStore, type SecretKind, type SecretsState, type SecretStore } from '../secrets/index.ts';

/** Which keyring entry holds each backend secret. */
const CREDENTIAL_KINDS: Record<keyof BackendCredentials, SecretKind> = {
  sftpPassword: 'sftp-password',
  sftpKeyPassphrase: 'sftp-key-passphrase',
  s3SecretAccessKey: 's3-secret-key',
  restPassword: 'rest-password',
};

export class SecretsAccess {
  private readonly state: SecretsState;

  constructor(state: SecretsState) {
    this.state = state;
  }

  get available(): boolean {
    return this.state.state !== 'unavailable';
  }

  /** Throws KEYRING_UNAVAILABLE, with the reason and what to do, when nothing can be saved for good. */
  requireSaving(): void {
    if (this.state.state === 'session' || this.state.state === 'unavailable') throw new CairnError('KEYRING_UNAVAILABLE', this.state.message);
  }

  /** Where secrets go, in words a person can act on (the wizard shows it next to the password). */
  describe(): { state: 'keyring' | 'file' | 'session' | 'unavailable'; message: string } {
    switch (this.state.state) {
      case 'keyring': return { state: 'keyring', message: 'passwords are kept in the system keyring' };
      case 'file': return { state: 'file', message: this.state.notice };
      case 'session': return { state: 'session', message: this.state.message };
      case 'unavailable': return { state: 'unavailable', message: this.state.message };
    }
  }

  /** A repository's stored backend secrets; none when there is no store. */
  async credentials(repositoryId: string): Promise<BackendCredentials> {
    return this.available ? backendCredentials(this.store(), repositoryId) : {};
  }

  /** Stores the backend secrets given (each replaces the one before). */
  async setCredentials(repositoryId: string, credentials: BackendCredentials): Promise<void> {
    for (const [field, kind] of Object.entries(CREDENTIAL_KINDS) as [keyof BackendCredentials, SecretKind][]) {
      const value = credentials[field];
      if (value === undefined) continue;
      // With nowhere to save them, logins are kept for the session like the passwords.
      if (this.state.state === 'session') await this.state.store.setForSession(secretAccount(repositoryId, kind), value);
      else await this.store().set(secretAccount(repositoryId, kind), value);
    }
  }

  /** Whether Cairn knows the repository's password: saved, only for this session, or not at all. */
  async passwordKept(repositoryId: string): Promise<'saved' | 'session' | 'none'> {
    if (!this.available) return 'none';
    const store = this.store();
    const account = secretAccount(repositoryId, 'password');
    if (store instanceof SessionSecretStore && store.sessionOnly(account)) return 'session';
    return (await store.get(account)) !== null ? 'saved' : 'none';
  }

  /** Stores a repository password: saved for good, or (remember false) only until Cairn stops. */
  async setPassword(repositoryId: string, password: string, remember: boolean): Promise<void> {
    const store = this.store();
    const account = secretAccount(repositoryId, 'password');
    if (remember) return store.set(account, password);
    if (!(store instanceof SessionSecretStore)) throw new CairnError('INTERNAL', 'this host cannot keep a password for the session only');
    await store.setForSession(account, password);
  }

  /** The store, or KEYRING_UNAVAILABLE saying why there is none and what to do. */
  store(): SecretStore {
    if (this.state.state === 'unavailable') throw new CairnError('KEYRING_UNAVAILABLE', this.state.message);
    return this.state.store;
  }
}
