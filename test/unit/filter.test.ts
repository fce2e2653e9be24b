// Pattern matching and backup exclusion, checked against the behaviour of restic 0.14
// (vectors modelled on internal/filter/filter_test.go and cmd/restic/exclude_test.go).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compilePatterns, expandEnv, goClean, goToLower } from '../../src-worker/filter/filter.ts';
import { createExcluder, parsePatternFile, parseSize, type Excluder } from '../../src-worker/filter/exclude.ts';
import { isCairnError } from '../../src-worker/errors.ts';

// [pattern, path, matches]
const MATCH: [string, string, boolean][] = [
  ['*.go', '/foo/bar/test.go', true],
  ['*.c', '/foo/bar/test.go', false],
  ['*', '/foo/bar/test.go', true],
  ['**', '/foo/bar/test.go', true],
  ['foo*', '/foo/bar/test.go', true],
  ['bar*', '/foo/bar/test.go', true],
  ['/bar*', '/foo/bar/test.go', false],
  ['bar/*', '/foo/bar/test.go', true],
  ['baz/*', '/foo/bar/test.go', false],
  ['bar/test.go', '/foo/bar/test.go', true],
  ['bar/*.go', '/foo/bar/test.go', true],
  ['ba*/*.go', '/foo/bar/test.go', true],
  ['bb*/*.go', '/foo/bar/test.go', false],
  ['test.*', '/foo/bar/test.go', true],
  ['tesT.*', '/foo/bar/test.go', false],
  ['bar/*', '/foo/bar/baz', true],
  ['bar', '/foo/bar', true],
  ['/foo/bar', '/foo/bar', true],
  ['/foo/bar/', '/foo/bar', true],
  ['/foo/bar', '/foo/baz', false],
  ['/foo/bar', '/foo/baz/', false],
  ['/foo///bar', '/foo/bar', true],
  ['/foo/../bar', '/foo/bar', false],
  ['/foo/../bar', '/bar', true],
  ['/foo', '/foo/baz', true],
  ['/foo/', '/foo/baz', true],
  ['/foo/*', '/foo', false],
  ['/foo/*', '/foo/baz', true],
  ['bar', '/foo/bar/baz', true],
  ['bar', '/foo/bar/test.go', true],
  ['/foo/*test.*', '/foo/bar/test.go', false],
  ['/foo/*/test.*', '/foo/bar/test.go', true],
  ['/foo/*/bar/test.*', '/foo/bar/test.go', false],
  ['/*/*/bar/test.*', '/foo/bar/test.go', false],
  ['/*/*/bar/test.*', '/foo/bar/baz/test.go', false],
  ['/*/*/baz/test.*', '/foo/bar/baz/test.go', true],
  ['/*/foo/bar/test.*', '/foo/bar/baz/test.go', false],
  ['/foo/bar/test.*', 'bar/baz/test.go', false],
  ['/x/y/bar/baz/test.*', 'bar/baz/test.go', false],
  ['/x/y/bar/baz/test.c', 'bar/baz/test.go', false],
  ['baz/test.*', 'bar/baz/test.go', true],
  ['baz/tesT.*', 'bar/baz/test.go', false],
  ['test.go', 'bar/baz/test.go', true],
  ['*.go', 'bar/baz/test.go', true],
  ['*.c', 'bar/baz/test.go', false],
  ['sdk', '/foo/bar/sdk', true],
  ['sdk', '/foo/bar/sdk/test/sdk_foo.go', true],
  ['sdk/*/cpp/*/*vars*.html', '/usr/share/doc/libreoffice/sdk/docs/cpp/ref/a00517.html', false],
  ['foo/**/bar/*.go', '/home/user/foo/work/special/project/bar/test.go', true],
  ['foo/**/bar/*.go', '/home/user/foo/bar/test.go', true],
  ['foo/**/bar/*.go', 'x/foo/bar/test.go', true],
  ['foo/**/bar/*.go', 'foo/bar/test.go', true],
  ['foo/**/bar/*.go', 'foo/bar/baz/bar/test.go', true],
  ['foo/**/bar/*.go', '/home/user/foo/test.c', false],
  ['foo/**/bar/*.go', 'bar/foo/main.go', false],
  ['foo/**/bar/*.go', '/foo/bar/main.go', true],
  ['foo/**/bar/*.go', 'bar/main.go', false],
  ['foo/**/bar', '/home/user/foo/x/y/bar', true],
  ['foo/**/bar', '/home/user/foo/x/y/bar/main.go', true],
  ['foo/**/bar/**/x', '/home/user/foo/bar/x', true],
  ['foo/**/bar/**/x', '/home/user/foo/blaaa/blaz/bar/shared/work/x', true],
  ['user/**/important*', '/home/user/work/x/y/hidden/x', false],
  ['user/**/hidden*/**/c', '/home/user/work/x/y/hidden/z/a/b/c', true],
  ['c:/foo/*test.*', 'c:/foo/bar/test.go', false],
  ['c:/foo', 'c:/foo/bar', true],
  ['c:/foo/', 'c:/foo/bar', true],
  ['c:/foo/*/test.*', 'c:/foo/bar/test.go', true],
  ['c:/foo/*/bar/test.*', 'c:/foo/bar/test.go', false],
  // Go filepath.Match details
  ['/home/[uU]ser/?.go', '/home/user/F.go', true],
  ['[^a]bc', '/x/abc', false],
  ['[^a]bc', '/x/zbc', true],
  ['[!a]bc', '/x/!bc', true], // Go has no '!' negation in classes: '!' is a member
  ['[!a]bc', '/x/zbc', false],
  ['[a-c]x', '/d/bx', true],
  ['[c-a]x', '/d/bx', false], // reversed range: valid, never matches
  ['[\\]]x', '/d/]x', true],
  ['[*]', '/d/*', true],
  ['[*]', '/d/a', false],
  ['\\*', '/d/*', true],
  ['\\*', '/d/a', false],
  ['a\\?', '/d/a?', true],
  ['a\\?', '/d/ab', false],
  ['?', '/d/é', true],
  ['??', '/d/é', false],
  ['?', '/d/😀', true],
  ['[😀-😂]', '/d/😁', true],
  ['a.b', '/d/aXb', false],
  ['a(b|c)', '/d/a(b|c)', true],
  ['*a*a*b', '/d/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
  ['*a*a*b', '/d/xaya_b', true],
  ['**/foo', '/foo', true],
  ['/**/foo', '/a/b/foo/c', true],
  ['/a/**', '/a', true], // restic: '**' may match zero components, so this matches /a itself
  ['/a/**/b/**/c', '/a/x/b/c', true],
  ['/a/**/b/**/c', '/a/x/c/b', false],
  ['/', '/anything/at/all', true],
  ['.config', '/home/me/.config/x', true],
  ['./foo', '/x/foo', true], // cleaned to 'foo'
];

test('match: restic filter.Match vectors', () => {
  for (const [pattern, p, want] of MATCH) {
    assert.equal(compilePatterns([pattern]).match(p), want, `pattern ${JSON.stringify(pattern)} path ${JSON.stringify(p)}`);
  }
});

// [pattern, path, childMayMatch]
const CHILD: [string, string, boolean][] = [
  ['foo/bar', '/foo', true],
  ['baz/bar', '/foo', true],
  ['foo', '/foo/bar', true],
  ['bar', '/foo', true],
  ['baz', '/foo/bar', true],
  ['*', '/foo', true],
  ['*', '/foo/bar', true],
  ['/foo/bar', '/foo', true],
  ['/foo/bar/baz', '/foo', true],
  ['/foo/bar/baz', '/foo/bar', true],
  ['/foo/bar/baz', '/foo/baz', false],
  ['/foo/**/baz', '/foo/bar/baz', true],
  ['/foo/**/baz', '/foo/bar/baz/blah', true],
  ['/foo/**/qux', '/foo/bar/baz/qux', true],
  ['/foo/**/qux', '/foo/bar/baz', true],
  ['/foo/**/qux', '/foo/bar/baz/boo', true],
  ['/foo/**', '/foo/bar/baz', true],
  ['/foo/**', '/foo/bar', true],
  ['foo/**/bar/**/x', '/home/user/foo', true],
  ['foo/**/bar/**/x', '/home/user/foo/bar', true],
  ['foo/**/bar/**/x', '/home/user/foo/blaaa/blaz/bar/shared/work/x', true],
  ['/foo/*/qux', '/foo/bar', true],
  ['/foo/*/qux', '/foo/bar/boo', false],
  ['/foo/*/qux', '/foo/bar/boo/xx', false],
  ['/baz/bar', '/foo', false],
  ['/foo', '/foo/bar', true],
  ['/*', '/foo', true],
  ['/*', '/foo/bar', true],
  ['/**', '/foo', true],
  ['/*/**', '/foo', true],
  ['/*/**', '/foo/bar', true],
  ['/*/bar', '/foo', true],
  ['/bar/*', '/foo', false],
  ['/foo/*/baz', '/foo/bar', true],
  ['/foo/*/baz', '/foo/baz', true],
  ['/foo/*/baz', '/bar/baz', false],
  ['/**/*', '/foo', true],
  ['/**/bar', '/foo/bar', true],
  // the brief's restore example
  ['/home/me/Documents/taxes', '/home', true],
  ['/home/me/Documents/taxes', '/home/me/Documents', true],
  ['/home/me/Documents/taxes', '/etc', false],
  ['/home/me/Documents/taxes', '/home/you', false],
  // restic splits '/' into ['/', ''], and '' is not 'home': the root itself is never asked by a restorer
  ['/home/me/Documents/taxes', '/', false],
];

test('childMayMatch: restic filter.ChildMatch vectors', () => {
  for (const [pattern, p, want] of CHILD) {
    assert.equal(compilePatterns([pattern]).childMayMatch(p), want, `pattern ${JSON.stringify(pattern)} path ${JSON.stringify(p)}`);
  }
});

// [patterns, path, match, childMayMatch]
const LIST: [string[], string, boolean, boolean][] = [
  [[], '/foo/bar/test.go', false, false],
  [['*.go'], '/foo/bar/test.go', true, true],
  [['*.go'], '/foo/bar', false, true],
  [['*.c'], '/foo/bar/test.go', false, true],
  [['*.go', '*.c'], '/foo/bar/test.go', true, true],
  [['*'], '/foo/bar/test.go', true, true],
  [['x'], '/foo/bar/test.go', false, true],
  [['?'], '/foo/bar/test.go', false, true],
  [['?', 'x'], '/foo/bar/x', true, true],
  [['/*/*/bar/test.*'], '/foo/bar/test.go', false, false],
  [['/*/*/bar/test.*'], '/foo/bar/bar', false, true],
  [['/*/*/bar/test.*', '*.go'], '/foo/bar/test.go', true, true],
  [['', '*.c'], '/foo/bar/test.go', false, true],
  [['!**', '*.go'], '/foo/bar/test.go', true, true],
  [['!**', '*.c'], '/foo/bar/test.go', false, true],
  [['/foo/*/test.*', '!*.c'], '/foo/bar/test.c', false, false],
  [['/foo/*/test.*', '!*.c'], '/foo/bar/test.go', true, true],
  [['/foo/*/*', '!test.*', '*.c'], '/foo/bar/test.go', false, true],
  [['/foo/*/*', '!test.*', '*.c'], '/foo/bar/test.c', true, true],
  [['/foo/*/*', '!test.*', '*.c'], '/foo/bar/file.go', true, true],
  [['/**/*', '!/foo', '/foo/*', '!/foo/bar'], '/foo/other/test.go', true, true],
  [['/**/*', '!/foo', '/foo/*', '!/foo/bar'], '/foo/bar', false, false],
  [['/**/*', '!/foo', '/foo/*', '!/foo/bar'], '/foo/bar/test.go', false, false],
  [['/**/*', '!/foo', '/foo/*', '!/foo/bar'], '/foo/bar/test.go/child', false, false],
  [['/**/*', '!/foo', '/foo/*', '!/foo/bar', '/foo/bar/test*'], '/foo/bar/test.go/child', true, true],
  [['/foo/bar/*'], '/foo', false, true],
  [['/foo/bar/*', '!/foo/bar/[a-m]*'], '/foo', false, true],
  [['/foo/**/test.c'], '/foo/bar/foo/bar/test.c', true, true],
  [['/foo/*/test.c'], '/foo/bar/foo/bar/test.c', false, false],
  // a negation only wins when it is the last pattern that matches
  [['!*.log', '*'], '/var/x.log', true, true],
  [['*', '!*.log'], '/var/x.log', false, false],
  [['*', '!*.log'], '/var/x.txt', true, true],
];

test('match/childMayMatch over lists with negation: restic filter.List/ListWithChild vectors', () => {
  for (const [patterns, p, m, c] of LIST) {
    const cp = compilePatterns(patterns);
    const label = `patterns ${JSON.stringify(patterns)} path ${JSON.stringify(p)}`;
    assert.equal(cp.match(p), m, `match: ${label}`);
    assert.equal(cp.childMayMatch(p), c, `childMayMatch: ${label}`);
  }
});

test('empty paths and empty patterns never match', () => {
  assert.equal(compilePatterns(['test']).match(''), false);
  assert.equal(compilePatterns(['test']).childMayMatch(''), false);
  const cp = compilePatterns(['', '']);
  assert.deepEqual(cp.patterns, []);
  assert.equal(cp.match('/x'), false);
});

test('invalid patterns throw INVALID_ARGUMENT naming the pattern', () => {
  for (const bad of ['test/[', 'test/**/[', '*[._]log[.-][0-9]', '!*[._]log[.-][0-9]', 'a\\', '[]a]', '[-a]', '[a', '[^]', 'x/[a-]/y']) {
    assert.throws(
      () => compilePatterns(['*.ok', bad]),
      (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT') && err.message.includes(`"${bad}"`) && !err.message.includes('"*.ok"'),
      bad,
    );
  }
  // The whole pattern table above is valid.
  compilePatterns([...MATCH.map((m) => m[0]), ...CHILD.map((c) => c[0])]);
  // A '[' split by '/' becomes two broken components (restic cleans and splits first).
  assert.throws(() => compilePatterns(['[a/b]']), (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => compilePatterns(['[x'], { source: 'exclude file /tmp/e' }), /in exclude file \/tmp\/e/);
});

test('case-insensitive mode lower-cases patterns and paths', () => {
  const cp = compilePatterns(['*.go', 'README.md', '/home/user/foobar/*'], { caseInsensitive: true });
  const cases: [string, boolean][] = [
    ['/home/user/foo.GO', true],
    ['/home/user/foo.c', false],
    ['/home/user/foobar', false],
    ['/home/user/FOObar/x', true],
    ['/home/user/README', false],
    ['/home/user/readme.md', true],
  ];
  for (const [p, want] of cases) assert.equal(cp.match(p), want, p);
  assert.equal(compilePatterns(['/Home/ÄRGER']).match('/home/ärger'), false);
  assert.equal(compilePatterns(['/Home/ÄRGER'], { caseInsensitive: true }).match('/home/ärger/x'), true);
  assert.equal(compilePatterns(['[A-Z]x'], { caseInsensitive: true }).match('/q/bX'), true);
  assert.equal(goToLower('İSTANBUL'), 'istanbul'); // Go maps U+0130 to a plain i
  assert.equal(goToLower('ΟΔΟΣ'), 'οδοσ'); // and has no final-sigma rule
});

test('case-sensitive exclude patterns from restic exclude_test', () => {
  const cp = compilePatterns(['*.go', 'README.md', '/home/user/foobar/*']);
  const cases: [string, boolean][] = [
    ['/home/user/foo.go', true],
    ['/home/user/foo.c', false],
    ['/home/user/foobar', false],
    ['/home/user/foobar/x', true],
    ['/home/user/README', false],
    ['/home/user/README.md', true],
  ];
  for (const [p, want] of cases) assert.equal(cp.match(p), want, p);
});

test('environment variables are expanded like Go os.Expand with $$ for a literal $', () => {
  const env = { HOME: '/home/me', EMPTY: '', X_1: 'v' };
  assert.equal(expandEnv('$HOME/.cache', env), '/home/me/.cache');
  assert.equal(expandEnv('${HOME}/.cache', env), '/home/me/.cache');
  assert.equal(expandEnv('$UNSET/x', env), '/x');
  assert.equal(expandEnv('$$RECYCLE.BIN', env), '$RECYCLE.BIN');
  assert.equal(expandEnv('a$', env), 'a$');
  assert.equal(expandEnv('a$/b', env), 'a$/b');
  assert.equal(expandEnv('${}x', env), 'x');
  assert.equal(expandEnv('${HOME', env), 'HOME');
  assert.equal(expandEnv('$X_1-$X_1', env), 'v-v');
  assert.equal(expandEnv('${X_1}y', env), 'vy');

  const saved = process.env.CAIRN_FILTER_TEST;
  process.env.CAIRN_FILTER_TEST = '/srv/data';
  try {
    const cp = compilePatterns(['$CAIRN_FILTER_TEST/tmp'], { expandEnv: true });
    assert.deepEqual(cp.patterns, ['/srv/data/tmp']);
    assert.equal(cp.match('/srv/data/tmp/x'), true);
    // Default: literal, as restic takes command-line patterns (the shell expands them).
    assert.equal(compilePatterns(['$CAIRN_FILTER_TEST/tmp']).match('/srv/data/tmp/x'), false);
  } finally {
    if (saved === undefined) delete process.env.CAIRN_FILTER_TEST;
    else process.env.CAIRN_FILTER_TEST = saved;
  }
});

test('goClean follows Go path.Clean', () => {
  const cases: [string, string][] = [
    ['', '.'],
    ['/', '/'],
    ['/foo///bar/', '/foo/bar'],
    ['/foo/../bar', '/bar'],
    ['/../x', '/x'],
    ['../x', '../x'],
    ['a/../../b', '../b'],
    ['./a/./b/.', 'a/b'],
    ['**/../x', 'x'],
  ];
  for (const [i, o] of cases) assert.equal(goClean(i), o, i);
});

test('matching many paths against many patterns stays fast', () => {
  const patterns = Array.from({ length: 200 }, (_, i) => `/usr/share/doc/pkg${i}/**/*.html`);
  patterns.push('node_modules', '*.tmp', '!keep.tmp');
  const cp = compilePatterns(patterns);
  const t0 = performance.now();
  let hits = 0;
  for (let i = 0; i < 20000; i++) {
    if (cp.match(`/usr/share/doc/pkg${i % 300}/sub/dir/file${i}.${i % 2 ? 'html' : 'txt'}`)) hits++;
  }
  assert.equal(hits, 6700);
  assert.ok(performance.now() - t0 < 5000);
});

// ---------------------------------------------------------------------------------------------
// exclude.ts

test('parseSize: restic parseSizeStr vectors', () => {
  const ok: [string, number][] = [
    ['1024', 1024],
    ['1024b', 1024],
    ['1024B', 1024],
    ['1k', 1024],
    ['100k', 102400],
    ['100K', 102400],
    ['10M', 10485760],
    ['100m', 104857600],
    ['20G', 21474836480],
    ['10g', 10737418240],
    ['2T', 2199023255552],
    ['2t', 2199023255552],
    ['0', 0],
    ['+3k', 3072],
  ];
  for (const [s, n] of ok) assert.equal(parseSize(s), n, s);
  for (const bad of ['', ' ', 'foobar', 'zzz', 'k', '1.5M', '1 k', '1kb', '0x10', '1_000', '99999999999T']) {
    assert.throws(() => parseSize(bad), (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT'), JSON.stringify(bad));
  }
});

test('parsePatternFile: trimmed lines, comments and blanks skipped, $VAR expanded, CRLF', () => {
  const text = '# comment\r\n\r\n  *.tmp  \r\n\t$DIR/cache\n  # indented comment\n$$literal\n!keep.tmp\nlast';
  assert.deepEqual(parsePatternFile(text, { DIR: '/data' }), ['*.tmp', '/data/cache', '$literal', '!keep.tmp', 'last']);
  // Go's TrimSpace keeps U+FEFF but strips U+0085 (JavaScript's trim() does the opposite)
  assert.deepEqual(parsePatternFile('\u0085x\u0085\n\ufeffy', {}), ['x', '\ufeffy']);
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-filter-'));
  try {
    await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeFiles(root: string, files: Record<string, string | number>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof content === 'number') {
      fs.writeFileSync(p, '');
      fs.truncateSync(p, content);
    } else {
      fs.writeFileSync(p, content);
    }
  }
}

/** Walks like restic's archiver: excluded entries are skipped, excluded directories not entered. */
async function walk(root: string, ex: Excluder): Promise<Map<string, boolean>> {
  const seen = new Map<string, boolean>();
  const visit = async (dir: string): Promise<void> => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      const excluded = await ex.isExcluded(p, { isDirectory: st.isDirectory(), size: st.size });
      seen.set(path.relative(root, p), !excluded);
      if (!excluded && st.isDirectory()) await visit(p);
    }
  };
  await visit(root);
  return seen;
}

const HEADER = 'Signature: 8a477f597d28d172789f06886806bc55';

test('exclude-if-present: tag file with and without a header (restic TestIsExcludedByFile)', async () => {
  const cases: [string, string, string, boolean][] = [
    // name, tag file, content, excluded
    ['NoTagfile', '', '', false],
    ['EmptyTagfile', 'CACHEDIR.TAG', '', true],
    ['UnnamedTagFile', '', HEADER, false],
    ['WrongTagFile', 'notatagfile', HEADER, false],
    ['IncorrectSig', 'CACHEDIR.TAG', HEADER.slice(1), false],
    ['ValidSig', 'CACHEDIR.TAG', HEADER, true],
    ['ValidPlusStuff', 'CACHEDIR.TAG', HEADER + 'foo', true],
    ['ValidPlusNewlineAndStuff', 'CACHEDIR.TAG', HEADER + '\nbar', true],
  ];
  for (const [name, tag, content, want] of cases) {
    await withTempDir(async (dir) => {
      fs.writeFileSync(path.join(dir, 'foo'), 'foo');
      if (tag) fs.writeFileSync(path.join(dir, tag), content);
      const spec = content === '' ? 'CACHEDIR.TAG' : `CACHEDIR.TAG:${HEADER}`;
      const warnings: string[] = [];
      const ex = await createExcluder({ excludeIfPresent: [spec], onExcludeWarning: (m) => warnings.push(m) });
      assert.equal(await ex.isExcluded(path.join(dir, 'foo'), { isDirectory: false, size: 3 }), want, name);
      // the tag file itself is never excluded
      assert.equal(await ex.isExcluded(path.join(dir, 'CACHEDIR.TAG'), { isDirectory: false, size: 3 }), false, name);
      if (name === 'IncorrectSig') assert.equal(warnings.length, 1);
    });
  }
});

test('exclude-if-present: several rules do not cancel each other (restic TestMultipleIsExcludedByFile)', async () => {
  await withTempDir(async (dir) => {
    const files: [string, boolean][] = [
      ['42', true],
      ['foodir/NOFOO', true],
      ['foodir/foo', false],
      ['foodir/foosub/underfoo', false],
      ['bardir/NOBAR', true],
      ['bardir/bar', false],
      ['bardir/barsub/underbar', false],
      ['bazdir/baz', true],
      ['bazdir/bazsub/underbaz', true],
    ];
    writeFiles(dir, Object.fromEntries(files.map(([f]) => [f, f])));
    const ex = await createExcluder({ excludeIfPresent: ['NOFOO', 'NOBAR'] });
    const seen = await walk(dir, ex);
    for (const [f, incl] of files) assert.equal(seen.get(f) ?? false, incl, f);
    // the tagged directories themselves are kept
    assert.equal(seen.get('foodir'), true);
    assert.equal(seen.get('bardir'), true);
    assert.equal(seen.get('foodir/foosub'), false);
  });
});

test('exclude-caches keeps the tagged directory and its CACHEDIR.TAG only', async () => {
  await withTempDir(async (dir) => {
    writeFiles(dir, {
      'home/.cache/CACHEDIR.TAG': `${HEADER}\n# This file is a cache directory tag.\n`,
      'home/.cache/blob': 'x',
      'home/.cache/sub/blob': 'x',
      'home/fake/CACHEDIR.TAG': 'not a signature at all, long enough to compare',
      'home/fake/data': 'x',
      'home/doc.txt': 'x',
    });
    const ex = await createExcluder({ excludeCaches: true });
    const seen = await walk(dir, ex);
    assert.equal(seen.get('home/.cache'), true);
    assert.equal(seen.get('home/.cache/CACHEDIR.TAG'), true);
    assert.equal(seen.get('home/.cache/blob'), false);
    assert.equal(seen.get('home/.cache/sub'), false);
    assert.equal(seen.has('home/.cache/sub/blob'), false);
    assert.equal(seen.get('home/fake/data'), true);
    assert.equal(seen.get('home/doc.txt'), true);
    assert.deepEqual(ex.patterns, []);
  });
});

test('exclude-if-present rejects an empty spec or one without a file name', async () => {
  for (const spec of ['', ':header']) {
    await assert.rejects(createExcluder({ excludeIfPresent: [spec] }), (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT'));
  }
});

test('exclude-larger-than applies to files only (restic TestIsExcludedByFileSize)', async () => {
  await withTempDir(async (dir) => {
    const files: [string, number, boolean][] = [
      ['42', 100, true],
      ['foodir/FOOLARGE', 2048, false],
      ['foodir/foo', 1002, true],
      ['foodir/foosub/underfoo', 100, true],
      ['bardir/BARLARGE', 1030, false],
      ['bardir/bar', 1000, true],
      ['bardir/barsub/underbar', 500, true],
      ['bazdir/baz', 100, true],
      ['bazdir/bazsub/underbaz', 200, true],
    ];
    writeFiles(dir, Object.fromEntries(files.map(([f, size]) => [f, size])));
    const ex = await createExcluder({ excludeLargerThan: '1k' });
    const seen = await walk(dir, ex);
    for (const [f, , incl] of files) assert.equal(seen.get(f), incl, f);
    // exactly the limit is kept; directories are never excluded by size
    assert.equal(ex.isExcluded('/x/f', { isDirectory: false, size: 1024 }), false);
    assert.equal(ex.isExcluded('/x/f', { isDirectory: false, size: 1025 }), true);
    assert.equal(ex.isExcluded('/x/d', { isDirectory: true, size: 1 << 30 }), false);
  });
  await assert.rejects(createExcluder({ excludeLargerThan: 'lots' }), (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT'));
});

test('exclude patterns, exclude files and the snapshot excludes field', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'excludes.txt');
    fs.writeFileSync(file, '\ufeff# caches\n*.tmp\n!keep.tmp\n\n  $CAIRN_FILTER_DIR/private  \n');
    const ifile = path.join(dir, 'iexcludes.txt');
    // UTF-16LE with BOM, as Windows editors write it
    fs.writeFileSync(ifile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('THUMBS.DB\r\n', 'utf16le')]));
    const saved = process.env.CAIRN_FILTER_DIR;
    process.env.CAIRN_FILTER_DIR = '/srv';
    try {
      const ex = await createExcluder({
        exclude: ['/proc', '*.log', '/srv/cache', '$RECYCLE.BIN'],
        iexclude: ['*.ISO'],
        excludeFiles: [file],
        iexcludeFiles: [ifile],
      });
      // restic 0.14 records only the --exclude patterns (not iexclude, not the files' contents)
      // and takes them literally: no $VAR expansion outside exclude files.
      assert.deepEqual(ex.patterns, ['/proc', '*.log', '/srv/cache', '$RECYCLE.BIN']);
      const f = { isDirectory: false, size: 1 };
      const cases: [string, boolean][] = [
        ['/proc', true],
        ['/proc/1/status', true],
        ['/var/log/syslog.log', true],
        ['/srv/cache/x', true],
        ['/srv/private/x', true],
        ['/home/me/a.tmp', true],
        ['/home/me/keep.tmp', false], // the file's negation re-includes it
        ['/home/me/disk.iso', true],
        ['/home/me/Thumbs.db', true],
        ['/home/me/notes.txt', false],
        ['/home/me/a.LOG', false], // case-sensitive list
        ['/mnt/c/$RECYCLE.BIN/x', true],
      ];
      for (const [p, want] of cases) assert.equal(await ex.isExcluded(p, f), want, p);
      // no tag rules: answers synchronously
      assert.equal(typeof ex.isExcluded('/x', f), 'boolean');
    } finally {
      if (saved === undefined) delete process.env.CAIRN_FILTER_DIR;
      else process.env.CAIRN_FILTER_DIR = saved;
    }

    await assert.rejects(
      createExcluder({ excludeFiles: [path.join(dir, 'missing.txt')] }),
      (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT') && err.message.includes('missing.txt'),
    );
    const broken = path.join(dir, 'broken.txt');
    fs.writeFileSync(broken, 'ok\n[oops\n');
    await assert.rejects(
      createExcluder({ excludeFiles: [broken] }),
      (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT') && err.message.includes('broken.txt') && err.message.includes('"[oops"'),
    );
    await assert.rejects(createExcluder({ exclude: ['a[b'] }), (err: unknown) => isCairnError(err, 'INVALID_ARGUMENT') && err.message.includes('"a[b"'));
  });
});
