#!/usr/bin/env node
// Builds the installable package into dist/: one ESM file per entry point (shared code in chunks, so
// a class exists once however many entry points an app imports), the `firstlight` CLI as plain JS,
// and the .d.ts files. Peers and dependencies stay imports; zod is bundled (the part of it the
// schemas use is a small fraction of the 8 MB package, and the schemas are internal). The entry
// points import each other by package name (firstlight/react keeps its 'use client' boundary as its
// own file).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

// The declarations a user's compiler reads: from each entry point's types file, the files it imports.
// The rest (internal modules no public type mentions) is deleted, and what is left may import only
// Node's modules, the package itself, its dependencies and its required peers; an entry point for an
// optional peer (firstlight/openfeature) may import that peer. zod is bundled, so a declaration that
// imports it would fail to compile in an app without zod (skipLibCheck: false).
const required = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}).filter((n) => !pkg.peerDependenciesMeta?.[n]?.optional),
]);
const OPTIONAL_PEER_ENTRIES = { './openfeature': ['@openfeature/server-sdk'], './openfeature/web': ['@openfeature/web-sdk'] };
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const reachable = new Set();
const problems = [];
for (const [entry, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object' || !target.types) continue;
  const allowed = new Set([...required, ...(OPTIONAL_PEER_ENTRIES[entry] ?? [])]);
  const queue = [resolve(target.types)];
  const seen = new Set();
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    reachable.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec).replace(/\.js$/, '');
        const hit = [`${base}.d.ts`, join(base, 'index.d.ts')].find((f) => existsSync(f));
        if (hit) queue.push(hit);
        else problems.push(`${relative('.', file)}: '${spec}' resolves to no declaration file`);
      } else if (!spec.startsWith('node:') && packageOf(spec) !== 'firstlight' && !allowed.has(packageOf(spec))) {
        problems.push(`${relative('.', file)} (reachable from "firstlight${entry.slice(1)}") imports '${spec}', which is not a dependency or required peer`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`build-package: the declarations must compile in an app that has only the dependencies and peers:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
for (const f of readdirSync('dist/types', { recursive: true }).map(String)) {
  const abs = resolve('dist/types', f);
  if (f.endsWith('.d.ts') && !reachable.has(abs)) rmSync(abs);
}
