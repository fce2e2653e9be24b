// The interface both places a secret can live share: the OS keyring, or (opted into) a 0600 file.
export interface SecretStore {
  readonly kind: 'keyring' | 'file';
  /** The secret, or null when there is none. */
  get(account: string): Promise<string | null>;
  /** Stores the secret, replacing any earlier one. */
  set(account: string, secret: string): Promise<void>;
  /** True when a secret was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
}
