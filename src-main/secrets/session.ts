// Secrets kept only in this process's memory, in front of the keyring (or password file): a
// repository password the user chose not to remember is used until Cairn stops and then asked for
// again. Reads look in memory first; saving a secret for good replaces the memory copy, and keeping
// one for the session only removes any saved copy, so a secret never lives in both places.
import type { SecretStore } from './store.ts';

export class SessionSecretStore implements SecretStore {
  readonly kind: SecretStore['kind'];
  private readonly saved: SecretStore;
  private readonly memory = new Map<string, string>();

  constructor(saved: SecretStore) {
    this.saved = saved;
    this.kind = saved.kind;
  }

  async get(account: string): Promise<string | null> {
    return this.memory.get(account) ?? this.saved.get(account);
  }

  async set(account: string, secret: string): Promise<void> {
    await this.saved.set(account, secret);
    this.memory.delete(account);
  }

  async delete(account: string): Promise<boolean> {
    const inMemory = this.memory.delete(account);
    const onDisk = await this.saved.delete(account);
    return inMemory || onDisk;
  }

  /** Keeps the secret until this process ends, and removes a saved copy. */
  async setForSession(account: string, secret: string): Promise<void> {
    await this.saved.delete(account);
    this.memory.set(account, secret);
  }

  /** True when the secret is known only to this process (not saved). */
  sessionOnly(account: string): boolean {
    return this.memory.has(account);
  }
}
