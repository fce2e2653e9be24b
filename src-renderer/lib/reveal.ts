// A panel that opens below the fold (restore, versions, file details, a result) is scrolled into
// view, or a click would seem to do nothing on a small window. With a key (`use:reveal={path}`),
// it is scrolled into view again whenever the key changes: the same panel showing another file.
export function reveal(node: HTMLElement, _key?: unknown): { update: () => void } {
  const show = () => node.scrollIntoView({ block: 'nearest', behavior: 'instant' });
  show();
  return { update: show };
}
