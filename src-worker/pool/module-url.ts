// Worker entry points are loaded by URL, so they must name the file that exists: the .ts source
// when running from source (tests), the emitted .js when running the build in dist/.

/** URL of a worker module in this folder, with the running module's own extension. */
export function siblingModule(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}
