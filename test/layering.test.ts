// The one rule between layers: imports point down (app → server → lib). lib/ is also runtime-neutral:
// no node: built-ins, so it runs in edge and worker runtimes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(['fs', 'path', 'os', 'net', 'http', 'https', 'crypto', 'zlib', 'child_process', 'stream', 'url', 'util', 'events', 'buffer', 'dns', 'tls', 'worker_threads', 'async_hooks', 'perf_hooks']);

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => join(dir, f));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

test('lib/ imports neither node: built-ins nor server/ or app/', () => {
  const bad: string[] = [];
  for (const file of sources('lib')) {
    for (const spec of importsOf(file)) {
      const root = spec.split('/')[0] ?? '';
      if (spec.startsWith('node:') || BUILTINS.has(root)) bad.push(`${file}: ${spec}`);
      if (/(^|\/)(server|app)(\/|$)/.test(spec) && spec.startsWith('.')) bad.push(`${file}: ${spec}`);
      if (spec === 'next' || spec.startsWith('next/') || spec === 'react') bad.push(`${file}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('server/ never imports app/', () => {
  const bad: string[] = [];
  for (const file of sources('server')) {
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.') && /(^|\/)app(\/|$)/.test(spec)) bad.push(`${file}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the layering scan sees real imports (guards against a scan that matches nothing)', () => {
  const libImports = sources('lib').flatMap(importsOf);
  assert.ok(libImports.length > 0, 'expected lib/ to have imports');
  assert.ok(importsOf('test/layering.test.ts').includes('node:fs'));
});

// ---------------------------------------------------------------------------------------------
// Per entry point: what each public entry can reach through its imports (static and dynamic).

const ENTRY_POINTS = {
  'firstlight/core': 'lib/index.ts',
  'firstlight/next/proxy': 'server/next/proxy.ts',
  'firstlight/react': 'server/next/react.ts',
  'firstlight/next': 'server/next/index.ts',
  firstlight: 'server/index.ts',
  'firstlight/proxy': 'server/proxy/index.ts',
  'firstlight/testing': 'server/testing.ts',
  'firstlight/openfeature': 'server/openfeature/index.ts',
  'firstlight/openfeature/web': 'server/openfeature/web.ts',
} as const;

function resolveRelative(from: string, spec: string): string {
  const base = join(from, '..', spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (readFileSync(candidate) && /\.tsx?$/.test(candidate)) return candidate;
    } catch {}
  }
  throw new Error(`${from}: cannot resolve ${spec}`);
}

/** Imports that exist at run time: `import type` / `export type` are erased by the compiler. */
function runtimeImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/(?:^|\n)\s*(?:import|export)\s+type\s[^;]*?from\s*['"][^'"]+['"]/g, '\n');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every source file an entry reaches at run time and every package specifier it imports. */
function reach(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of runtimeImportsOf(file)) {
      if (spec.startsWith('.')) queue.push(resolveRelative(file, spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

function nodeOnly(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0] ?? '');
}

for (const entry of ['firstlight/core', 'firstlight/next/proxy'] as const) {
  test(`${entry} reaches nothing Node-only (it runs on edge runtimes)`, () => {
    const { files, packages } = reach(ENTRY_POINTS[entry]);
    assert.deepEqual([...packages].filter(nodeOnly), []);
    // packages built on Node's sockets
    assert.deepEqual([...packages].filter((p) => ['ioredis', 'undici'].includes(p)), []);
    assert.ok(files.size > 1, `${entry} reaches ${files.size} files`);
  });
}

test('firstlight/next/proxy pulls neither the evaluator nor the event pipeline nor the Statsig class', () => {
  const { files } = reach(ENTRY_POINTS['firstlight/next/proxy']);
  const heavy = [...files].filter((f) => /^lib\/(eval|spec|bootstrap)\/|^server\/(statsig|runtime|events\/)/.test(f.split('\\').join('/')));
  assert.deepEqual(heavy, []);
});

test('firstlight/react reaches only the client side: react, the Statsig bindings and its own files', () => {
  const { files, packages } = reach(ENTRY_POINTS['firstlight/react']);
  assert.deepEqual([...packages].filter((p) => !['react', '@statsig/react-bindings'].includes(p)), []);
  for (const f of files) assert.match(readFileSync(f, 'utf8'), /^'use client';/, `${f} is a client module`);
});

test('firstlight/testing (for test runners) pulls neither Next, React, the evaluator nor the Statsig class', () => {
  const { files, packages } = reach(ENTRY_POINTS['firstlight/testing']);
  assert.deepEqual([...packages].filter((p) => !['node:crypto', 'zod'].includes(p)), []);
  const heavy = [...files].filter((f) => /^lib\/(eval|bootstrap)\/|^server\/(statsig|runtime|next|events)\b/.test(f.split('\\').join('/')));
  assert.deepEqual(heavy, []);
  assert.ok(files.has('server/forced/forced-token.ts'));
});

test('firstlight/openfeature/web reaches only the web SDK and its own browser-safe files; the server provider needs no Statsig code at run time', () => {
  const web = reach(ENTRY_POINTS['firstlight/openfeature/web']);
  assert.deepEqual([...web.packages], ['@openfeature/web-sdk']);
  assert.deepEqual([...web.files].filter((f) => !/^server\/openfeature\/|^lib\/errors\.ts$/.test(f.split('\\').join('/'))), []);
  const server = reach(ENTRY_POINTS['firstlight/openfeature']);
  assert.deepEqual([...server.packages], ['@openfeature/server-sdk']);
  assert.deepEqual([...server.files].filter((f) => /^server\/(statsig|runtime|next|events)\b|^lib\/eval\//.test(f.split('\\').join('/'))), []);
});

test('entry points import each other only by package name, and firstlight/core imports no other entry', () => {
  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    const { packages } = reach(file);
    const others = [...packages].filter((p) => p === 'firstlight' || p.startsWith('firstlight/'));
    if (entry === 'firstlight/core') assert.deepEqual(others, []);
    for (const o of others) assert.ok(o in ENTRY_POINTS, `${entry} imports ${o}, which is not an entry point`);
  }
});

test('app/ uses the package only through its entry points (no paths into lib/ or server/)', () => {
  const bad: string[] = [];
  for (const file of sources('app')) {
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.') && /(^|\/)(lib|server)(\/|$)/.test(spec)) bad.push(`${file}: ${spec}`);
      if (spec === '@statsig/react-bindings' || spec === '@statsig/js-client') bad.push(`${file}: ${spec} (import it from firstlight/react)`);
    }
  }
  for (const file of ['proxy.ts', 'instrumentation.ts']) {
    for (const spec of importsOf(file)) if (spec.startsWith('.')) bad.push(`${file}: ${spec}`);
  }
  assert.deepEqual(bad, []);
});
