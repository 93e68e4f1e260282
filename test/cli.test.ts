/**
 * The firstlight CLI as a subprocess: eval and cir on the fixtures (checked against the lib and
 * statsig-node), generate, and clear exit-2 errors (no stack traces) for bad flags, files and JSON.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { djb2 } from '../lib/index';
import { IGNORED_TOP_LEVEL } from './support/cir-compare';
import { FIXTURE_DCS_FILE, FIXTURE_IDLISTS_FILE, FIXTURE_USERS_FILE, FIXTURE_SECRET, fixtureGolden, fixtureDcsJson, fixtureIdLists, fixtureUsers } from './support/fixtures';
import { NodeReference } from './support/reference';

const dir = mkdtempSync(join(tmpdir(), 'firstlight-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/firstlight.ts', ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const FIXTURE_ARGS = ['--specs', FIXTURE_DCS_FILE, '--users', FIXTURE_USERS_FILE, '--secret', FIXTURE_SECRET, '--id-lists', FIXTURE_IDLISTS_FILE];

test('eval prints one line per user with value, rule ID, group name and reason (reference §13.3)', () => {
  const r = cli('eval', ...FIXTURE_ARGS);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  const [u1, u2, u3, u4] = lines;
  assert.deepEqual(u1.gates.employee_gate, { value: true, ruleID: '1kNmlB23wylPFZi1M0Divl:100.00:1', groupName: null, reason: 'Network' });
  assert.equal(u2.gates['segment:blocked_users'].value, true, 'ID lists reach the evaluation');
  assert.equal(u2.gates.new_checkout_gate.ruleID, 'DlM7nO0pQ3rS6tU9vW2xY5');
  assert.equal(u4.gates.partial_rollout_gate.value, false);
  assert.equal(u1.gates.unsupported_condition_gate.reason, 'Unsupported');
  assert.equal(u3.experiments.checkout_experiment.ruleID, 'WeF6gH9iJ2kL5mN8oP1qR4:userID:id_override');
  assert.equal(u3.experiments.checkout_experiment.groupName, 'Test');
  assert.equal(u1.configs.pricing_config.groupName, 'North America');
  assert.equal(u1.layers.search_layer.allocatedExperimentName, 'search_experiment');
  assert.deepEqual(u4.layers.search_layer.value, { ranker: 'bm25', page_size: 20, show_snippets: false });
});

test('eval agrees with statsig-node on every entity of the fixture', async () => {
  const r = cli('eval', ...FIXTURE_ARGS, '--environment', 'staging');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const ref = await NodeReference.create(fixtureDcsJson(), { secret: FIXTURE_SECRET, idLists: fixtureIdLists(), environment: 'staging' });
  try {
    fixtureUsers().forEach((user, i) => {
      const line = lines[i];
      for (const [name, row] of Object.entries<{ value: unknown; ruleID: string; groupName: string | null }>(line.gates)) {
        const e = ref.gate(user, name);
        assert.deepEqual([row.value, row.ruleID, row.groupName], [e.value, e.ruleID, e.groupName], `gate ${name} user ${i}`);
      }
      for (const kind of ['configs', 'experiments'] as const) {
        for (const [name, row] of Object.entries<{ value: unknown; ruleID: string; groupName: string | null }>(line[kind])) {
          const e = ref.config(user, name);
          assert.deepEqual([row.value, row.ruleID, row.groupName], [e.value, e.ruleID, e.groupName], `${kind} ${name} user ${i}`);
        }
      }
      for (const [name, row] of Object.entries<{ value: unknown; ruleID: string; groupName: string | null }>(line.layers)) {
        const e = ref.layer(user, name);
        assert.deepEqual([row.value, row.ruleID, row.groupName], [e.value, e.ruleID, e.groupName], `layer ${name} user ${i}`);
      }
    });
    assert.equal(lines[0].gates.staging_only_gate.value, true, '--environment reaches the evaluation');
  } finally {
    ref.shutdown();
  }
});

test('cir prints one bootstrap per user in input order; u1 matches the golden file', () => {
  const r = cli('cir', ...FIXTURE_ARGS, '--client-key', 'client-key-web', '--hash', 'djb2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 4);
  assert.deepEqual(
    lines.map((l) => (l.user as { userID?: string }).userID),
    ['user-1', 'blocked-user-1', 'qa-user-test', undefined],
  );
  const golden = fixtureGolden();
  const got = lines[0] as Record<string, unknown>;
  for (const k of IGNORED_TOP_LEVEL) {
    delete golden[k];
    delete got[k];
  }
  assert.ok(isDeepStrictEqual(got, golden), 'cir output for u1 differs from the golden statsig-node payload');
});

test('cir --hash none and sha256 and the hashed-map client key', () => {
  const none = cli('cir', ...FIXTURE_ARGS, '--hash', 'none');
  assert.equal(none.code, 0, none.stderr);
  const u2 = JSON.parse(none.stdout.trim().split('\n')[1] as string);
  assert.equal(u2.hash_used, 'none');
  assert.equal(Object.keys(u2.feature_gates).length, 20);
  assert.equal(u2.feature_gates.target_app_gate.value, false);
  const sha = cli('cir', ...FIXTURE_ARGS, '--hash', 'sha256', '--client-key', 'client-key-ios');
  assert.equal(sha.code, 0, sha.stderr);
  const u1 = JSON.parse(sha.stdout.trim().split('\n')[0] as string);
  assert.equal(Object.keys(u1.feature_gates).length, 20);
  assert.ok('f0G9y2l26UJrId0e31V2VrHUITtaFWaP881psAbWgNs=' in u1.feature_gates);
  const djb = cli('cir', ...FIXTURE_ARGS);
  assert.ok(djb2('public_gate') in JSON.parse(djb.stdout.split('\n')[0] as string).feature_gates);
});

test('generate writes deterministic specs, ID lists and users that eval accepts', () => {
  const specs = join(dir, 'gen.json');
  const lists = join(dir, 'gen-lists.json');
  const users = join(dir, 'gen-users.jsonl');
  const a = cli('generate', '--size', 'small', '--seed', '7', '--out', specs, '--id-lists-out', lists, '--users', '20', '--users-out', users);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /secret-gen-7/);
  const b = cli('generate', '--size', 'small', '--seed', '7');
  assert.equal(b.code, 0);
  assert.equal(b.stdout.trim().length > 1000, true);
  const r = cli('eval', '--specs', specs, '--users', users, '--id-lists', lists, '--secret', 'secret-gen-7');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 20);
});

const BAD_USERS = file('bad-users.jsonl', '{"userID":"a"}\n{not json\n');
const ARRAY_USER = file('array-user.jsonl', '[1,2]\n');
const BAD_JSON = file('bad.json', '{"feature_gates": [');
const BAD_SCHEMA = file('bad-schema.json', '{"has_updates":true,"time":"soon","feature_gates":{},"dynamic_configs":[],"layer_configs":[]}');
const BAD_LISTS = file('bad-lists.json', '{"blocked_users_list": "blocked-user-1"}');

const ERRORS: [string, string[], RegExp][] = [
  ['no command', [], /Usage: firstlight/],
  ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
  ['unknown flag', ['eval', '--spec', FIXTURE_DCS_FILE], /Unknown option '--spec'/],
  ['missing --specs', ['eval', '--users', FIXTURE_USERS_FILE], /missing required flag --specs/],
  ['missing --users', ['cir', '--specs', FIXTURE_DCS_FILE], /missing required flag --users/],
  ['flag without value', ['eval', '--specs'], /--specs/],
  ['positional argument', ['eval', ...FIXTURE_ARGS, 'extra'], /Unexpected argument 'extra'/],
  ['missing specs file', ['eval', '--specs', join(dir, 'nope.json'), '--users', FIXTURE_USERS_FILE], /cannot read --specs .*nope\.json: no such file/],
  ['missing users file', ['eval', '--specs', FIXTURE_DCS_FILE, '--users', join(dir, 'nope.jsonl')], /cannot read --users .*nope\.jsonl: no such file/],
  ['specs not JSON', ['eval', '--specs', BAD_JSON, '--users', FIXTURE_USERS_FILE], /--specs .*bad\.json is not valid JSON/],
  ['specs bad schema', ['cir', '--specs', BAD_SCHEMA, '--users', FIXTURE_USERS_FILE], /not a valid download_config_specs payload.*time/],
  ['wrong secret', ['eval', '--specs', FIXTURE_DCS_FILE, '--users', FIXTURE_USERS_FILE, '--secret', 'secret-other'], /not issued for this server secret/],
  ['bad users line', ['cir', '--specs', FIXTURE_DCS_FILE, '--users', BAD_USERS], /line 2: invalid JSON/],
  ['user not an object', ['eval', '--specs', FIXTURE_DCS_FILE, '--users', ARRAY_USER], /line 1: a user must be a JSON object/],
  ['bad id lists', ['eval', '--specs', FIXTURE_DCS_FILE, '--users', FIXTURE_USERS_FILE, '--id-lists', BAD_LISTS], /list "blocked_users_list" must be an array of strings/],
  ['bad hash', ['cir', '--specs', FIXTURE_DCS_FILE, '--users', FIXTURE_USERS_FILE, '--hash', 'md5'], /--hash must be one of djb2, sha256, none/],
  ['bad size', ['generate', '--size', 'huge'], /--size must be one of small, large, larger, xlarge/],
  ['bad seed', ['generate', '--seed', 'x1'], /--seed must be an integer/],
];

for (const [label, args, message] of ERRORS) {
  test(`error: ${label} -> exit 2 with a clear message`, () => {
    const r = cli(...args);
    assert.equal(r.code, 2, `exit code for ${label}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('--help prints usage and exits 0', () => {
  for (const cmd of ['eval', 'cir', 'generate']) {
    const r = cli(cmd, '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`Usage: firstlight ${cmd}`));
  }
});
