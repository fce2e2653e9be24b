// The wizard's steps in order, and what keeps each from being left (in words shown to people).
import { passwordStrength } from '../../lib/password-strength.ts';
import type { AppInfo } from '../../lib/api/index.ts';
import type { WizardDraft } from '../../lib/wizard/draft.svelte.ts';
import { storageProblem, toLocation } from '../../lib/wizard/location.ts';
import { scheduleProblem, sourcesProblem } from '../../lib/wizard/plan-choices.ts';

export type StepId = 'welcome' | 'storage' | 'password' | 'sources' | 'schedule' | 'retention' | 'offsite' | 'summary';

export const STEPS: { id: StepId; title: string; short: string }[] = [
  { id: 'welcome', title: 'Welcome to Cairn', short: 'Welcome' },
  { id: 'storage', title: 'Where to store backups', short: 'Storage' },
  { id: 'password', title: 'Password', short: 'Password' },
  { id: 'sources', title: 'What to back up', short: 'Folders' },
  { id: 'schedule', title: 'When to back up', short: 'Schedule' },
  { id: 'retention', title: 'How long to keep backups', short: 'Keep' },
  { id: 'offsite', title: 'A second copy elsewhere', short: 'Offsite' },
  { id: 'summary', title: 'Ready to start', short: 'Summary' },
];

function tested(d: WizardDraft, which: 'main' | 'offsite'): boolean {
  const fields = which === 'main' ? d.storage : d.offsite;
  const mode = which === 'main' ? d.mode : d.offsiteMode;
  const at = which === 'main' ? d.testedLocation : d.offsiteTestedLocation;
  return mode !== null && storageProblem(fields) === null && toLocation(fields) === at;
}

/** Why the step cannot be left forward yet, or null. */
export function stepProblem(id: StepId, d: WizardDraft, info: AppInfo | null): string | null {
  switch (id) {
    case 'welcome':
      return null;
    case 'storage':
      return storageProblem(d.storage) ?? (tested(d, 'main') ? null : 'Test the connection first: Cairn needs to reach the place before it can store backups there.');
    case 'password':
      if (info?.secrets.state === 'unavailable') return 'Cairn has nowhere to keep the password: unlock or install the system keyring, or start Cairn with --allow-password-file.';
      if (d.mode === 'open') return d.passwordAccepted ? null : 'Check the password first.';
      if (d.password === '') return 'Choose a password.';
      if (passwordStrength(d.password).score < 2) return 'The password is too easy to guess: make it longer.';
      if (d.password !== d.passwordRepeat) return 'Type the same password twice.';
      if (!d.lostPasswordUnderstood) return 'Confirm that you have written the password down.';
      return null;
    case 'sources':
      return sourcesProblem(d);
    case 'schedule':
      return scheduleProblem(d);
    case 'retention':
      return null;
    case 'offsite':
      if (!d.offsiteEnabled) return null;
      if (!tested(d, 'offsite')) return storageProblem(d.offsite) ?? 'Test the connection to the second place first.';
      if (toLocation(d.offsite) === d.location) return 'The second copy must go to another place than the first.';
      if (d.offsiteMode === 'open' && !d.offsitePasswordAccepted) return 'Check the second repository\'s password first.';
      if (d.offsiteMode === 'create' && !d.offsiteSamePassword && d.offsitePassword === '') return 'Choose a password for the second copy.';
      return null;
    case 'summary':
      return d.planName.trim() === '' ? 'Give the plan a name.' : null;
  }
}
