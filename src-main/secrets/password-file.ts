// The opt-in fallback for machines without a keyring (a headless server): secrets in one JSON file
// in the config folder, readable only by its owner. Weaker than a keyring (anyone with the user's
// files has them), which is why it is never chosen silently and why a file others could read is
// refused rather than used: a secret that may already have leaked should be changed, not trusted.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CairnError } from '../../src-worker/index.ts';
import { writeFileAtomic } from '../common/atomic-write.ts';
import type { SecretStore } from './store.ts';

export const PASSWORD_FILE = 'secrets.json';

const FileSchema = z.strictObject({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });
type SecretsFile = z.infer<typeof FileSchema>;

export class PasswordFileStore implements SecretStore {
  readonly kind = 'file' as const;
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(configDir: string) {
    this.file = path.join(configDir, PASSWORD_FILE);
  }

  async get(account: string): Promise<string | null> {
    const doc = await this.read();
    return Object.hasOwn(doc.secrets, account) ? doc.secrets[account] : null;
  }

  set(account: string, secret: string): Promise<void> {
    if (secret === '') return Promise.reject(new CairnError('INVALID_ARGUMENT', `the secret for ${account} is empty: enter it again`));
    return this.change((doc) => {
      doc.secrets[account] = secret;
      return undefined;
    });
  }

  delete(account: string): Promise<boolean> {
    return this.change((doc) => {
      if (!Object.hasOwn(doc.secrets, account)) return false;
      delete doc.secrets[account];
      return true;
    });
  }

  private async read(): Promise<SecretsFile> {
    let handle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new CairnError('PERMISSION_DENIED', `cannot open the password file ${this.file}: check its owner and permissions`, { cause: err });
    }
    try {
      // Check the file we opened (not the name, which could be swapped in between).
      const st = await handle.stat();
      // Windows has no Unix modes; there the file inherits the user profile's ACL.
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
        throw new CairnError(
          'UNSAFE_PERMISSIONS',
          `the password file ${this.file} has mode ${mode}, so other users may read it: refusing to use it; run "chmod 600 ${this.file}" and change the passwords it holds if others could have read them`,
        );
      }
      const text = await handle.readFile('utf8');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        // No cause and no excerpt: the text is secrets.
        throw new CairnError('CORRUPT_CONFIG', `the password file ${this.file} is not valid JSON: fix it, or delete it and enter the passwords again`);
      }
      const parsed = FileSchema.safeParse(doc);
      if (!parsed.success) throw new CairnError('CORRUPT_CONFIG', `the password file ${this.file} has an unexpected layout: fix it, or delete it and enter the passwords again`);
      return parsed.data;
    } finally {
      await handle.close();
    }
  }

  private change<T>(fn: (doc: SecretsFile) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const doc = await this.read();
      const result = fn(doc);
      await writeFileAtomic(this.file, JSON.stringify(doc, null, 2) + '\n', 0o600);
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }
}
