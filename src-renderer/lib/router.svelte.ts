// A small router on the History API: `cairn serve` answers any path without an extension with
// index.html, so "/snapshots" can be reloaded or bookmarked. Screens not built yet have no route.
export type Route = 'dashboard' | 'setup' | 'snapshots' | 'settings';

const PATHS: Record<Route, string> = { dashboard: '/', setup: '/setup', snapshots: '/snapshots', settings: '/settings' };

function fromPath(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '');
  const found = (Object.entries(PATHS) as [Route, string][]).find(([, path]) => path === p);
  return found ? found[0] : 'dashboard';
}

class Router {
  route = $state<Route>(fromPath(location.pathname));

  constructor() {
    addEventListener('popstate', () => { this.route = fromPath(location.pathname); });
  }

  go(route: Route, replace = false): void {
    if (route === this.route) return;
    if (location.protocol.startsWith('http')) history[replace ? 'replaceState' : 'pushState'](null, '', PATHS[route]);
    this.route = route;
  }
}

export const router = new Router();
