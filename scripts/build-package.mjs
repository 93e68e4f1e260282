#!/usr/bin/env node
// Builds the installable package into dist/: one ESM file per entry point (shared code in chunks, so
// a class exists once however many entry points an app imports), the `firstlight` CLI as plain JS,
// and the .d.ts files. Peers and dependencies stay imports; zod is bundled (the part of it the
// schemas use is a small fraction of the 8 MB package, and the schemas are internal). The entry
// points import each other by package name (firstlight/react keeps its 'use client' boundary as its
// own file).
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].flatMap((n) => [n, `${n}/*`]);

const ENTRIES = {
  index: 'server/index.ts',
  core: 'lib/index.ts',
  next: 'server/next/index.ts',
  'next-proxy': 'server/next/proxy.ts',
  proxy: 'server/proxy/index.ts',
  testing: 'server/testing.ts',
  openfeature: 'server/openfeature/index.ts',
  'openfeature-web': 'server/openfeature/web.ts',
  'bin/firstlight': 'bin/firstlight.ts',
};

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  // what Next's own server build and Node 20 run; the app's tsconfig target does not apply here
  target: ['node20', 'es2022'],
  external: [...external, 'firstlight', 'firstlight/*'],
  jsx: 'automatic',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ENTRIES,
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// its own file and no splitting: the directive must stay the first statement of the module
await build({
  ...common,
  entryPoints: { react: 'server/next/react.ts' },
  outdir: 'dist',
  banner: { js: "'use client';" },
});

const bin = 'dist/bin/firstlight.js';
writeFileSync(bin, `#!/usr/bin/env node\n${readFileSync(bin, 'utf8')}`);
chmodSync(bin, 0o755);

const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
