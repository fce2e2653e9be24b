// How Go prints a stored RFC 3339 time again after parsing it (time.Time's MarshalJSON), which is
// what restic shows when it re-encodes snapshots, keys, locks and nodes: the fraction loses its
// trailing zeros and disappears when it is all zeros; the zone offset stays as written.
export function goTimeJson(rfc3339: string): string {
  return rfc3339.replace(/\.(\d+?)0*(?=Z|z|[+-]\d{2}:\d{2}$)/, (_m, digits: string) => (/^0+$/.test(digits) ? '' : '.' + digits));
}
