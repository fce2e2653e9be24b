// What stands behind the session-only secrets when there is no keyring and the user did not opt
// into the password file: nothing can be saved. Reads find nothing, and saving refuses with the
// reason and what to do, so passwords and logins typed in live only in the process's memory.
import { CairnError } from '../../src-worker/index.ts';
import type { SecretStore } from './store.ts';

export class UnsavedStore implements SecretStore {
  readonly kind = 'none';
  private readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }

  async get(): Promise<string | null> {
    return null;
  }

  async set(): Promise<void> {
    throw new CairnError('KEYRING_UNAVAILABLE', this.reason);
  }

  async delete(): Promise<boolean> {
    return false;
  }
}
