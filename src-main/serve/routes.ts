// The contract's routes as a matcher: method + path → operation name and path parameters.
// Literal segments win over parameters, so "/api/repositories/test"-like routes cannot be
// shadowed by "/api/repositories/:repositoryId" whatever the table's order.
import { operations, type HttpMethod, type OpName } from '../api/index.ts';

interface Route {
  op: OpName;
  method: HttpMethod;
  segments: string[];
}

export type RouteMatch =
  | { kind: 'op'; op: OpName; params: Record<string, string> }
  /** The path exists, with other methods. */
  | { kind: 'method'; allowed: HttpMethod[] }
  | { kind: 'none' };

function split(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

const ROUTES: Route[] = (Object.keys(operations) as OpName[]).map((op) => ({
  op,
  method: operations[op].method,
  segments: split(operations[op].path),
}));

/** How specific a route is: literal segments count, earlier ones more. */
function rank(r: Route): number {
  return r.segments.reduce((n, s, i) => n + (s.startsWith(':') ? 0 : 2 ** (16 - i)), 0);
}

const BY_RANK = [...ROUTES].sort((a, b) => rank(b) - rank(a));

function matchSegments(route: string[], parts: string[]): Record<string, string> | null {
  if (route.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.length; i++) {
    if (route[i].startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return null;
      }
      params[route[i].slice(1)] = value;
    } else if (route[i] !== parts[i]) {
      return null;
    }
  }
  return params;
}

export function matchRoute(method: string, pathname: string): RouteMatch {
  const parts = split(pathname);
  const allowed: HttpMethod[] = [];
  let best: { route: Route; params: Record<string, string> } | undefined;
  for (const route of BY_RANK) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.method === method) {
      best ??= { route, params };
    } else {
      allowed.push(route.method);
    }
  }
  if (best) return { kind: 'op', op: best.route.op, params: best.params };
  if (allowed.length > 0) return { kind: 'method', allowed };
  return { kind: 'none' };
}
