// Repositories and plans: the profiles service does the validation and the saving; these handlers
// add what the API owns: passwords go to the secrets store (and never come back), and a
// repository can be created at its location in the same call.
import { CairnError, openBackend, Repository, type BackendCredentials } from '../../../src-worker/index.ts';
import { addRepository } from '../../profiles/index.ts';
import type { RepositoryProfile } from '../../profiles/index.ts';
import { deleteRepositorySecrets, secretAccount } from '../../secrets/index.ts';
import type { ApiContext } from '../context.ts';
import type { HandlerTable } from './types.ts';

export async function withSecretFlag(ctx: ApiContext, r: RepositoryProfile) {
  const kept = await ctx.secrets.passwordKept(r.id);
  return { ...r, hasPassword: kept !== 'none', passwordSaved: kept === 'saved' };
}

/** Creates a new repository at the profile's location; the caller closes nothing (done here). */
export async function initRepositoryAt(profile: RepositoryProfile, password: string, credentials: BackendCredentials = {}): Promise<{ configId: string; version: number }> {
  const backend = openBackend(profile.location, profile.options, credentials);
  try {
    const repo = await Repository.init(backend, password);
    return { configId: repo.config.id, version: repo.version };
  } finally {
    await backend.close().catch(() => {});
  }
}

function requireRepository(ctx: ApiContext, id: string): RepositoryProfile {
  const r = ctx.profiles.repository(id);
  if (!r) throw new CairnError('NOT_FOUND', `repository "${id}" does not exist`);
  return r;
}

export const profileHandlers: HandlerTable<
  'profiles.get' | 'repositories.create' | 'repositories.update' | 'repositories.delete' | 'plans.create' | 'plans.update' | 'plans.delete'
> = {
  async 'profiles.get'(_input, ctx) {
    const p = ctx.profiles.profiles;
    return { repositories: await Promise.all(p.repositories.map((r) => withSecretFlag(ctx, r))), plans: p.plans };
  },

  async 'repositories.create'(input, ctx) {
    const { password, rememberPassword, credentials, init, ...fields } = input;
    if (init && password === undefined) throw new CairnError('INVALID_ARGUMENT', 'repositories.create: creating the repository needs its password: give "password"');
    // Check the profile first (pure, nothing saved), so a bad name fails before storage is touched.
    const draft = addRepository(ctx.profiles.profiles, fields).repository;
    const store = password !== undefined || credentials !== undefined ? ctx.secrets.store() : null;
    // A password to be saved where nothing can be saved is refused before any repository is made.
    if (password !== undefined && rememberPassword !== false) ctx.secrets.requireSaving();
    if (init && password !== undefined) await initRepositoryAt(draft, password, credentials);
    const saved = await ctx.profiles.addRepository({ ...fields, id: draft.id });
    if (store) {
      try {
        if (password !== undefined) await ctx.secrets.setPassword(saved.id, password, rememberPassword !== false);
        if (credentials !== undefined) await ctx.secrets.setCredentials(saved.id, credentials);
      } catch (err) {
        // A profile whose password silently went nowhere would fail later, far from the cause.
        await ctx.profiles.removeRepository(saved.id).catch(() => {});
        throw err;
      }
    }
    ctx.profilesChanged();
    return withSecretFlag(ctx, saved);
  },

  async 'repositories.update'(input, ctx) {
    const { repositoryId, password, credentials, ...changes } = input;
    requireRepository(ctx, repositoryId);
    const store = password !== undefined || credentials !== undefined ? ctx.secrets.store() : null;
    if (Object.keys(changes).length > 0) await ctx.profiles.updateRepository(repositoryId, changes);
    if (store && password !== undefined) await store.set(secretAccount(repositoryId, 'password'), password);
    if (store && credentials !== undefined) await ctx.secrets.setCredentials(repositoryId, credentials);
    await ctx.repositories.drop(repositoryId);
    ctx.profilesChanged();
    return withSecretFlag(ctx, requireRepository(ctx, repositoryId));
  },

  async 'repositories.delete'(input, ctx) {
    await ctx.profiles.removeRepository(input.repositoryId);
    await ctx.repositories.drop(input.repositoryId);
    if (ctx.secrets.available) await deleteRepositorySecrets(ctx.secrets.store(), input.repositoryId);
    ctx.profilesChanged();
    return { ok: true as const };
  },

  async 'plans.create'(input, ctx) {
    const plan = await ctx.profiles.addPlan(input);
    ctx.profilesChanged();
    return plan;
  },

  async 'plans.update'(input, ctx) {
    const { planId, ...changes } = input;
    await ctx.profiles.updatePlan(planId, changes);
    ctx.profilesChanged();
    const plan = ctx.profiles.plan(planId);
    if (!plan) throw new CairnError('NOT_FOUND', `plan "${planId}" does not exist`);
    return plan;
  },

  async 'plans.delete'(input, ctx) {
    await ctx.profiles.removePlan(input.planId);
    ctx.profilesChanged();
    return { ok: true as const };
  },
};
