// A panel that opens below the fold (restore, versions) is scrolled into view, or a click would
// seem to do nothing on a small window.
export function reveal(node: HTMLElement): void {
  node.scrollIntoView({ block: 'nearest', behavior: 'instant' });
}
