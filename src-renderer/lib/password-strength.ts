// A password's strength as a rough entropy estimate, for the meter in the wizard. It rewards
// length most (a long passphrase of common words beats a short jumble) and punishes the
// patterns people use most: repeats, sequences, and very common passwords.
export interface Strength {
  /** 0 (unusable) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  advice: string;
}

const COMMON = /^(password|passwort|qwerty|azerty|letmein|welcome|admin|iloveyou|monkey|dragon|abc123|123456|backup|secret)/i;

export function passwordStrength(pw: string): Strength {
  if (pw.length === 0) return { score: 0, label: 'Empty', advice: 'Choose a password.' };
  let pool = 0;
  if (/[a-z]/.test(pw)) pool += 26;
  if (/[A-Z]/.test(pw)) pool += 26;
  if (/[0-9]/.test(pw)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(pw)) pool += 33;
  // Repeated and sequential characters add little: count runs once.
  const effective = pw.replace(/(.)\1+/g, '$1').replace(/(?:0123|1234|2345|3456|4567|5678|6789|abcd|bcde|cdef|qwer|asdf)/gi, 'x').length;
  let bits = effective * Math.log2(Math.max(pool, 2));
  if (COMMON.test(pw)) bits = Math.min(bits, 20);
  if (bits < 28) return { score: 1, label: 'Weak', advice: 'Too easy to guess. Use a longer password, such as four or five unrelated words.' };
  if (bits < 50) return { score: 2, label: 'Fair', advice: 'Could be guessed by a determined attacker. Add a few more words or characters.' };
  if (bits < 75) return { score: 3, label: 'Good', advice: 'Hard to guess. A few more characters make it stronger still.' };
  return { score: 4, label: 'Strong', advice: 'Very hard to guess.' };
}
