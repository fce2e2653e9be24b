// Where the browser gets an entry of a snapshot as a download (`cairn serve` only): a file as
// itself, a folder as a zip stream. Also the drag data that makes dragging a row out of the page
// save that download where it is dropped (Chromium's "DownloadURL" type: "mime:name:url").

export interface DownloadLink {
  url: string;
  /** The name the download is saved under. */
  name: string;
  mime: string;
}

export function downloadLink(repositoryId: string, snapshotId: string, entry: { path: string; name: string; type: string }): DownloadLink | null {
  const base = `/api/repositories/${encodeURIComponent(repositoryId)}/snapshots/${encodeURIComponent(snapshotId)}`;
  const query = `path=${encodeURIComponent(entry.path)}`;
  if (entry.type === 'file') return { url: `${base}/file?${query}`, name: entry.name, mime: 'application/octet-stream' };
  if (entry.type === 'dir') return { url: `${base}/zip?${query}`, name: `${entry.name || 'snapshot'}.zip`, mime: 'application/zip' };
  return null;
}

/**
 * The DownloadURL drag value. The format splits at the first two colons, so a colon in the name
 * would cut it: it becomes "_" (only in the dropped file's name). The URL must be absolute.
 */
export function downloadUrlData(link: DownloadLink, pageUrl: string): string {
  return `${link.mime}:${link.name.replace(/:/g, '_')}:${new URL(link.url, pageUrl).href}`;
}
