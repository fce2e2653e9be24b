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

  /** The store, or KEYRING_UNAVAILABLE saying why there is none and what to do. */
  store(): SecretStore {
    if (this.state.state === 'unavailable') throw new CairnError('KEYRING_UNAVAILABLE', this.state.message);
    return this.state.store;
  }
}
