// Secrets in the OS keyring: Keychain on macOS, Credential Manager on Windows, the Secret Service
// (GNOME Keyring, KWallet) on Linux, through @napi-rs/keyring.
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { CairnError } from '../../src-worker/index.ts';
import { SERVICE } from './accounts.ts';
import { redact } from './redact.ts';
import type { SecretStore } from './store.ts';

// On Linux the library falls back to the kernel keyring when there is no Secret Service. That
// store lives only until logout or reboot, so a scheduled backup at night would find no password:
// pin the Secret Service and let its absence be reported as "unavailable" instead.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

export const KEYRING_HELP =
  process.platform === 'linux'
    ? 'no system keyring is available (the Secret Service is not running on D-Bus): log in to a desktop session with GNOME Keyring or KWallet, or start Cairn with --allow-password-file to keep passwords in a file only you can read'
    : 'the system keyring cannot be reached: unlock it and try again, or start Cairn with --allow-password-file to keep passwords in a file only you can read';

export type KeyringProbe = { available: true } | { available: false; message: string };

export class KeyringStore implements SecretStore {
  readonly kind = 'keyring' as const;
  private readonly service: string;

  constructor(service = SERVICE) {
    this.service = service;
  }

  /** Whether the keyring answers at all: a read of an entry that need not exist. */
  async probe(): Promise<KeyringProbe> {
    try {
      await new AsyncEntry(this.service, 'probe', ENTRY_OPTIONS).getPassword();
      return { available: true };
    } catch (err) {
      return { available: false, message: `${KEYRING_HELP} (${oneLine(err, [])})` };
    }
  }

  async get(account: string): Promise<string | null> {
    return this.call('read', account, [], (e) => e.getPassword());
  }

  async set(account: string, secret: string): Promise<void> {
    if (secret === '') throw new CairnError('INVALID_ARGUMENT', `the secret for ${account} is empty: enter it again`);
    await this.call('store', account, [secret], (e) => e.setPassword(secret));
  }

  async delete(account: string): Promise<boolean> {
    return this.call('delete', account, [], (e) => e.deletePassword());
  }

  private async call<T>(verb: string, account: string, secrets: string[], fn: (e: AsyncEntry) => Promise<T>): Promise<T> {
    try {
      return await fn(new AsyncEntry(this.service, account, ENTRY_OPTIONS));
    } catch (err) {
      // The library's message is about D-Bus or the platform store, but it is not ours: redact it.
      throw new CairnError('KEYRING_UNAVAILABLE', `cannot ${verb} ${account} in the system keyring: ${KEYRING_HELP} (${oneLine(err, secrets)})`);
    }
  }
}

function oneLine(err: unknown, secrets: string[]): string {
  const text = err instanceof Error ? err.message : String(err);
  return redact(text.split('\n')[0], secrets);
}
