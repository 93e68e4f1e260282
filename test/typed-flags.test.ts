/**
 * Typed flags end to end: `firstlight types` on a specs file, then the TypeScript compiler on a small
 * project that reads flags through firstlight/next and firstlight/react (test/fixtures/typed-flags-project,
 * whose `@ts-expect-error` lines are misspelled gates, unknown parameters and defaults of the wrong type).
 * A gate the specs lack fails the typecheck and passes once the specs have it and the file is regenerated;
 * `--check` tells a stale file from a current one; without the generated file nothing is typed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURE_DCS_FILE, fixtureDcsJson } from './support/fixtures';

const repo = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'firstlight-types-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'bin/firstlight.ts'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The fixture project in a fresh directory, resolving firstlight/* to this repository's sources. */
function project(): string {
  const root = mkdtempSync(join(dir, 'project-'));
  cpSync(join(repo, 'test/fixtures/typed-flags-project'), root, { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  const base = JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  const { plugins: _plugins, incremental: _incremental, paths: _paths, ...compilerOptions } = base.compilerOptions;
  const paths = {
    'firstlight/core': [join(repo, 'lib/index.ts')],
    'firstlight/next': [join(repo, 'server/next/index.ts')],
    'firstlight/react': [join(repo, 'server/next/react.ts')],
  };
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true, paths }, include: ['*.ts'] }, null, 2));
  return root;
}

function typecheck(root: string): { code: number | null; errors: string[] } {
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { encoding: 'utf8', cwd: root });
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  return { code: r.status, errors };
}

function specsWithGate(name: string): string {
  const dcs = JSON.parse(fixtureDcsJson()) as { feature_gates: { name: string }[] };
  const template = dcs.feature_gates.find((g) => g.name === 'public_gate')!;
  dcs.feature_gates.push({ ...structuredClone(template), name });
  const file = join(dir, `specs-with-${name}.json`);
  writeFileSync(file, JSON.stringify(dcs));
  return file;
}

test('a gate the specs lack is a compile error; regenerating from specs that have it makes the project compile', () => {
  const root = project();
  const out = join(root, 'flags.d.ts');
  const gen = cli('types', '--specs', FIXTURE_DCS_FILE, '--out', out);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stderr, /wrote .*flags\.d\.ts \(20 gates, 3 configs, 3 experiments, 2 layers\)/);

  const before = typecheck(root);
  assert.notEqual(before.code, 0);
  // exactly one error: the newer gate; every @ts-expect-error line was an error, as intended
  assert.equal(before.errors.length, 1, before.errors.join('\n'));
  assert.match(before.errors[0]!, /newer-flag\.ts\(5,\d+\): error TS2345: Argument of type '"fresh_gate"'/);

  const newer = specsWithGate('fresh_gate');
  const stale = cli('types', '--specs', newer, '--out', out, '--check');
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /flags\.d\.ts is stale; regenerate it: firstlight types --specs .* --out /);

  assert.equal(cli('types', '--specs', newer, '--out', out).code, 0);
  const current = cli('types', '--specs', newer, '--out', out, '--check');
  assert.equal(current.code, 0, current.stderr);
  assert.match(current.stderr, /is current \(21 gates/);
  const afterRegen = typecheck(root);
  assert.deepEqual(afterRegen.errors, []);
  assert.equal(afterRegen.code, 0);
});

test('without the generated file every name is a string: the expected errors do not happen', () => {
  const root = project();
  const r = typecheck(root);
  // each @ts-expect-error line is now unused (TS2578) and nothing else fails, fresh_gate included
  const unused = r.errors.filter((e) => e.includes('error TS2578'));
  assert.equal(unused.length, 10, r.errors.join('\n'));
  assert.equal(r.errors.length, unused.length, r.errors.join('\n'));
});

test('the declaration lists flags, not segments or holdouts, with parameter types unioned over groups and layers', () => {
  const r = cli('types', '--specs', FIXTURE_DCS_FILE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /declare module 'firstlight\/core' \{\n {2}interface FlagRegistry \{/);
  assert.doesNotMatch(r.stdout, /segment:|global_holdout/);
  assert.match(r.stdout, /pricing_config: \{ currency: string; price: number; tiers: JsonValue\[\]; \};/);
  // the layer takes its experiment's parameters as well as its own default
  assert.match(r.stdout, /search_layer: \{ page_size: number; ranker: string; show_snippets: boolean; \};/);

  const mixed = JSON.parse(fixtureDcsJson()) as { dynamic_configs: { name: string; defaultValue: Record<string, unknown>; rules: { returnValue: Record<string, unknown> }[] }[] };
  const pricing = mixed.dynamic_configs.find((c) => c.name === 'pricing_config')!;
  pricing.rules[0]!.returnValue = { ...pricing.rules[0]!.returnValue, price: 'free', 'odd key': null };
  const file = join(dir, 'mixed.json');
  writeFileSync(file, JSON.stringify(mixed));
  const m = cli('types', '--specs', file);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /pricing_config: \{ currency: string; "odd key": null; price: number \| string; tiers: JsonValue\[\]; \};/);
});

test('malformed specs and bad flags: one clear line on stderr, exit 2, no file written', () => {
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{"feature_gates": [');
  const notDcs = join(dir, 'not-dcs.json');
  writeFileSync(notDcs, JSON.stringify({ feature_gates: [{ name: 7 }] }));
  const out = join(dir, 'never.d.ts');
  const cases: [string[], RegExp][] = [
    [['types', '--specs', notJson, '--out', out], /--specs .*not\.json is not valid JSON/],
    [['types', '--specs', notDcs, '--out', out], /--specs .*not-dcs\.json is not a valid download_config_specs payload: .*feature_gates/],
    [['types', '--specs', join(dir, 'missing.json')], /cannot read --specs .*missing\.json: no such file/],
    [['types', '--out', out], /missing required flag --specs/],
    [['types', '--specs', FIXTURE_DCS_FILE, '--check'], /--check needs --out/],
    [['types', '--specs', FIXTURE_DCS_FILE, '--bogus'], /types: Unknown option '--bogus'/],
    [['types', '--specs', FIXTURE_DCS_FILE, '--out', join(dir, 'no-such-dir', 'x.d.ts')], /cannot write --out .*ENOENT/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.throws(() => readFileSync(out), /ENOENT/);
});
