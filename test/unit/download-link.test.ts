// The browser's downloads of snapshot entries: a file as itself, a folder as a zip, other kinds
// not at all; and the DownloadURL drag value Chromium saves where a row is dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downloadLink, downloadUrlData } from '../../src-renderer/lib/browse/download-link.ts';

test('a file downloads from /file, a folder from /zip as NAME.zip, with every part of the URL encoded', () => {
  const file = downloadLink('home', 'abc123', { path: '/home/me/a b&c.txt', name: 'a b&c.txt', type: 'file' });
  assert.deepEqual(file, { url: '/api/repositories/home/snapshots/abc123/file?path=%2Fhome%2Fme%2Fa%20b%26c.txt', name: 'a b&c.txt', mime: 'application/octet-stream' });
  const dir = downloadLink('home', 'latest', { path: '/home/me/Photos', name: 'Photos', type: 'dir' });
  assert.deepEqual(dir, { url: '/api/repositories/home/snapshots/latest/zip?path=%2Fhome%2Fme%2FPhotos', name: 'Photos.zip', mime: 'application/zip' });
  assert.equal(downloadLink('home', 'latest', { path: '/dev/null', name: 'null', type: 'chardev' }), null);
  assert.equal(downloadLink('home', 'latest', { path: '/l', name: 'l', type: 'symlink' }), null);
});

test('the DownloadURL value is mime:name:absolute-url, with colons in the name replaced', () => {
  const link = downloadLink('home', 'abc', { path: '/x/a:b.txt', name: 'a:b.txt', type: 'file' })!;
  assert.equal(downloadUrlData(link, 'http://127.0.0.1:4100/snapshots'), 'application/octet-stream:a_b.txt:http://127.0.0.1:4100/api/repositories/home/snapshots/abc/file?path=%2Fx%2Fa%3Ab.txt');
});
