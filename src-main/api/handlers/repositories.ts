// Reaching a repository: test a location (wizard), test a saved one, create one, open one.
import { CairnError, testConnection } from '../../../src-worker/index.ts';
import { secretAccount } from '../../secrets/index.ts';
import type { ApiContext } from '../context.ts';
import { initRepositoryAt, withSecretFlag } from './profiles.ts';
import type { HandlerTable } from './types.ts';

function profileOf(ctx: ApiContext, id: string) {
  const r = ctx.profiles.repository(id);
  if (!r) throw new CairnError('NOT_FOUND', `repository "${id}" does not exist`);
  return r;
}

/** Which storage secrets each kind of location uses. */
const CREDENTIALS_FOR: Record<string, string[]> = {
  sftp: ['sftpPassword', 'sftpKeyPassphrase'],
  s3: ['s3SecretAccessKey'],
  rest: ['restPassword'],
};

export const repositoryHandlers: HandlerTable<'repositories.testLocation' | 'repositories.test' | 'repositories.setCredentials' | 'repositories.unlock' | 'repositories.forgetPassword' | 'repositories.init' | 'repositories.open'> = {
  async 'repositories.testLocation'(input) {
    return testConnection(input.location, input.password, { options: input.options, credentials: input.credentials });
  },

  async 'repositories.test'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    const password = ctx.secrets.available ? await ctx.secrets.store().get(secretAccount(profile.id, 'password')) : null;
    return testConnection(profile.location, password ?? undefined, { options: profile.options, credentials: await ctx.secrets.credentials(profile.id) });
  },

  async 'repositories.setCredentials'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    // A secret the storage never asks for would pass the test and then sit unused in the keyring.
    const scheme = /^([a-z0-9]+):/.exec(profile.location)?.[1] ?? 'local';
    const fits = CREDENTIALS_FOR[scheme] ?? [];
    const stray = Object.keys(input.credentials).filter((k) => !fits.includes(k));
    if (input.s3AccessKeyId !== undefined && scheme !== 's3') stray.push('s3AccessKeyId');
    if (stray.length > 0) throw new CairnError('INVALID_ARGUMENT', `repositories.setCredentials: "${profile.name}" (${scheme} storage) does not use ${stray.join(', ')}: ${fits.length ? `give ${fits.join(' or ')}` : 'it has no storage login to change'}`);
    const store = ctx.secrets.store();
    const password = await store.get(secretAccount(profile.id, 'password'));
    const options = input.s3AccessKeyId !== undefined ? { ...profile.options, 's3.access-key-id': input.s3AccessKeyId } : profile.options;
    const credentials = { ...await ctx.secrets.credentials(profile.id), ...input.credentials };
    const report = await testConnection(profile.location, password ?? undefined, { options, credentials });
    // Saved only if the storage lets the new credential in: a typo must not replace a working one.
    if (!report.reachable || !report.authenticated) return { saved: false, report };
    if (input.s3AccessKeyId !== undefined) await ctx.profiles.updateRepository(profile.id, { options });
    await ctx.secrets.setCredentials(profile.id, input.credentials);
    await ctx.repositories.drop(profile.id);
    ctx.profilesChanged();
    return { saved: true, report };
  },

  async 'repositories.unlock'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    // Checked against the repository first: a typo must not replace (or become) the known password.
    const report = await testConnection(profile.location, input.password, { options: profile.options, credentials: await ctx.secrets.credentials(profile.id) });
    if (!report.reachable || !report.authenticated) throw new CairnError('BACKEND_UNREACHABLE', `the password could not be checked: ${report.message}`);
    if (report.repository !== 'exists') throw new CairnError('NOT_A_REPOSITORY', `there is no repository at ${profile.location} any more: ${report.message}`);
    if (report.passwordAccepted !== true) throw new CairnError('WRONG_PASSWORD', `this password does not open "${profile.name}": none of its keys matches it`);
    await ctx.secrets.setPassword(profile.id, input.password, input.remember);
    await ctx.repositories.drop(profile.id);
    ctx.profilesChanged();
    return withSecretFlag(ctx, profile);
  },

  async 'repositories.forgetPassword'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    await ctx.secrets.store().delete(secretAccount(profile.id, 'password'));
    await ctx.repositories.drop(profile.id);
    ctx.profilesChanged();
    return withSecretFlag(ctx, profile);
  },

  async 'repositories.init'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    const store = ctx.secrets.store();
    const account = secretAccount(profile.id, 'password');
    const password = input.password ?? (await store.get(account));
    if (password === null) throw new CairnError('INVALID_ARGUMENT', `repositories.init: no password is stored for "${profile.name}": give "password"`);
    const created = await initRepositoryAt(profile, password, await ctx.secrets.credentials(profile.id));
    // Stored only once the repository exists with it, so a failed init leaves the old secret.
    if (input.password !== undefined) await store.set(account, input.password);
    await ctx.repositories.drop(profile.id);
    return { repositoryId: profile.id, configId: created.configId, version: created.version, snapshots: 0 };
  },

  async 'repositories.open'(input, ctx) {
    profileOf(ctx, input.repositoryId);
    // Opened afresh: "open" is how the UI asks whether the stored password still works.
    await ctx.repositories.drop(input.repositoryId);
    return ctx.repositories.use(input.repositoryId, async (repo) => ({
      repositoryId: input.repositoryId,
      configId: repo.config.id,
      version: repo.version,
      snapshots: (await repo.listSnapshotIds()).length,
    }));
  },
};
