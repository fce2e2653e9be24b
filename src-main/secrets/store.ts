// The interface both places a secret can live share: the OS keyring, or (opted into) a 0600 file;
// 'none' is the stand-in when there is neither (secrets then live only in memory, see unsaved.ts).
export interface SecretStore {
  readonly kind: 'keyring' | 'file' | 'none';
  /** The secret, or null when there is none. */
  get(account: string): Promise<string | null>;
  /** Stores the secret, replacing any earlier one. */
  set(account: string, secret: string): Promise<void>;
  /** True when a secret was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
}
