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
