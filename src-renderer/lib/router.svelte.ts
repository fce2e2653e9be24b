// A two-screen router on the History API: `cairn serve` answers any path without an extension
// with index.html, so "/setup" can be reloaded or bookmarked. Screens not built yet have no route.
export type Route = 'dashboard' | 'setup';

const PATHS: Record<Route, string> = { dashboard: '/', setup: '/setup' };

function fromPath(pathname: string): Route {
  return pathname.replace(/\/+$/, '') === '/setup' ? 'setup' : 'dashboard';
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
