// Secrets must never reach a log, an error message or an API result. Every message built from
// text we did not write (a library's error, a URL) goes through redact() with the secrets in play.
export const REDACTED = '[redacted]';

/** `text` with every occurrence of each secret, and any password in a URL, replaced. */
export function redact(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  const list = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length);
  for (const s of list) out = out.split(s).join(REDACTED);
  // user:password@ in URLs (rest:https://user:pass@host/), whoever put it there.
  return out.replace(/(:\/\/[^/:@\s]*):[^/@\s]*@/g, `$1:${REDACTED}@`);
}
