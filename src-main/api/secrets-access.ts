// The secrets store as the API sees it: present, or absent with the reason (no keyring, and the
// user did not opt into the password file). Operations that need no secret keep working without.
import { CairnError } from '../../src-worker/index.ts';
import type { SecretsState, SecretStore } from '../secrets/index.ts';

export class SecretsAccess {
  private readonly state: SecretsState;

  constructor(state: SecretsState) {
    this.state = state;
  }

  get available(): boolean {
    return this.state.state !== 'unavailable';
  }

  /** Where secrets go, in words a person can act on (the wizard shows it next to the password). */
  describe(): { state: 'keyring' | 'file' | 'unavailable'; message: string } {
    switch (this.state.state) {
      case 'keyring': return { state: 'keyring', message: 'passwords are kept in the system keyring' };
      case 'file': return { state: 'file', message: this.state.notice };
      case 'unavailable': return { state: 'unavailable', message: this.state.message };
    }
  }

  /** The store, or KEYRING_UNAVAILABLE saying why there is none and what to do. */
  store(): SecretStore {
    if (this.state.state === 'unavailable') throw new CairnError('KEYRING_UNAVAILABLE', this.state.message);
    return this.state.store;
  }
}
