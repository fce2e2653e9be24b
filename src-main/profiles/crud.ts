// Changes to profiles as pure functions: each takes the current profiles and returns new ones, or
// throws a CairnError saying what is wrong. Referential rules live here so the UI, the HTTP API
// and the CLI all get the same answers: a plan cannot point at a missing repository, and a
// repository in use cannot be deleted.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CairnError } from '../../src-worker/index.ts';
import { describeIssues, findSecretField, PlanSchema, RepositorySchema, type Plan, type PlanInput, type Profiles, type RepositoryInput, type RepositoryProfile } from './schema.ts';

export function newId(): string {
  return randomUUID().slice(0, 8);
}

function validate<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const secret = findSecretField(input);
  if (secret) throw new CairnError('INVALID_ARGUMENT', `${what}: the field ${secret} looks like a secret; profiles hold none, store it in the keyring instead`);
  const r = schema.safeParse(input);
  if (!r.success) throw new CairnError('INVALID_ARGUMENT', `${what}: ${describeIssues(r.error)}`, { cause: r.error });
  return r.data;
}

function requireRepository(p: Profiles, id: string, role: string): RepositoryProfile {
  const repo = p.repositories.find((r) => r.id === id);
  if (!repo) throw new CairnError('NOT_FOUND', `${role} "${id}" does not exist: add the repository first`);
  return repo;
}

function checkPlanRefs(p: Profiles, plan: Plan): void {
  requireRepository(p, plan.repositoryId, 'repository');
  if (plan.copyToRepositoryId !== undefined) {
    requireRepository(p, plan.copyToRepositoryId, 'copy-to repository');
    if (plan.copyToRepositoryId === plan.repositoryId) {
      throw new CairnError('INVALID_ARGUMENT', `plan "${plan.name}" copies to the repository it backs up to: choose a different one`);
    }
  }
}

function checkNameFree<T extends { id: string; name: string }>(items: T[], item: T, what: string): void {
  const clash = items.find((x) => x.id !== item.id && x.name.toLowerCase() === item.name.toLowerCase());
  if (clash) throw new CairnError('INVALID_ARGUMENT', `a ${what} named "${item.name}" already exists: choose another name`);
}

export function addRepository(p: Profiles, input: Omit<RepositoryInput, 'id'> & { id?: string }): { profiles: Profiles; repository: RepositoryProfile } {
  const repository = validate(RepositorySchema, { ...input, id: input.id ?? newId() }, 'repository');
  if (p.repositories.some((r) => r.id === repository.id)) throw new CairnError('INVALID_ARGUMENT', `a repository with id "${repository.id}" already exists`);
  checkNameFree(p.repositories, repository, 'repository');
  return { profiles: { ...p, repositories: [...p.repositories, repository] }, repository };
}

export function updateRepository(p: Profiles, id: string, changes: Partial<Omit<RepositoryInput, 'id'>>): Profiles {
  const current = requireRepository(p, id, 'repository');
  const repository = validate(RepositorySchema, { ...current, ...changes, id }, 'repository');
  checkNameFree(p.repositories, repository, 'repository');
  return { ...p, repositories: p.repositories.map((r) => (r.id === id ? repository : r)) };
}

export function removeRepository(p: Profiles, id: string): Profiles {
  const repo = requireRepository(p, id, 'repository');
  const users = p.plans.filter((plan) => plan.repositoryId === id || plan.copyToRepositoryId === id);
  if (users.length > 0) {
    const names = users.map((u) => `"${u.name}"`).join(', ');
    throw new CairnError('IN_USE', `repository "${repo.name}" is used by plan${users.length > 1 ? 's' : ''} ${names}: delete or change ${users.length > 1 ? 'them' : 'it'} first`);
  }
  return { ...p, repositories: p.repositories.filter((r) => r.id !== id) };
}

export function addPlan(p: Profiles, input: Omit<PlanInput, 'id'> & { id?: string }): { profiles: Profiles; plan: Plan } {
  const plan = validate(PlanSchema, { ...input, id: input.id ?? newId() }, 'plan');
  if (p.plans.some((x) => x.id === plan.id)) throw new CairnError('INVALID_ARGUMENT', `a plan with id "${plan.id}" already exists`);
  checkNameFree(p.plans, plan, 'plan');
  checkPlanRefs(p, plan);
  return { profiles: { ...p, plans: [...p.plans, plan] }, plan };
}

export function updatePlan(p: Profiles, id: string, changes: Partial<Omit<PlanInput, 'id'>>): Profiles {
  const current = p.plans.find((x) => x.id === id);
  if (!current) throw new CairnError('NOT_FOUND', `plan "${id}" does not exist`);
  const plan = validate(PlanSchema, { ...current, ...changes, id }, 'plan');
  checkNameFree(p.plans, plan, 'plan');
  checkPlanRefs(p, plan);
  return { ...p, plans: p.plans.map((x) => (x.id === id ? plan : x)) };
}

export function removePlan(p: Profiles, id: string): Profiles {
  if (!p.plans.some((x) => x.id === id)) throw new CairnError('NOT_FOUND', `plan "${id}" does not exist`);
  return { ...p, plans: p.plans.filter((x) => x.id !== id) };
}
