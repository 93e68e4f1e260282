// The explorer's diffs on the demo instance, without a browser: explorerView with two users and
// explorerSpecsDiff with real FormData (text and File uploads) answer what evaluateAll gives on both
// sides; the server's own checks (token, size before reading, depth, JSON, DCS) hold for a form the
// browser's size check never saw.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'fl-explorer-diff-'));
const TOKEN = 'explorer-diff-token-0123456789';
// the demo's settings (the repository's .env, which only Next reads)
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SERVER_SECRET = 'secret-demo';
process.env.FIRSTLIGHT_SPECS_FILE = 'data/demo-dcs.json';
process.env.FIRSTLIGHT_EVENT_LOG = join(dir, 'events.jsonl');
process.env.FIRSTLIGHT_EVENT_SPOOL_DIR = join(dir, 'spool');
process.env.FIRSTLIGHT_EXPLORER_TOKEN = TOKEN;

const { explorerSpecsDiff, explorerView, MAX_EXPLORER_SPECS_BYTES } = await import('../../server/next/explorer');
const { getStatsig } = await import('../../server/next/instance');
const { parseSpecs, evaluateAll } = await import('../../lib/index');

const DCS = readFileSync('data/demo-dcs.json', 'utf8');
const SPECS = parseSpecs(DCS, { serverSecret: 'secret-demo', source: 'Bootstrap' });
after(async () => {
  await (await getStatsig()).shutdown(2_000);
  rmSync(dir, { recursive: true, force: true });
});

function form(fields: Record<string, string | Blob>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v as string);
  return f;
}

function sideOf(specs: typeof SPECS, user: Record<string, unknown>, kind: string, name: string) {
  const ev = evaluateAll(specs, user);
  const r = kind === 'gate' ? ev.getFeatureGate(name) : kind === 'config' ? ev.getConfig(name) : kind === 'experiment' ? ev.getExperiment(name) : ev.getLayer(name);
  return { value: r.value, ruleID: r.ruleID, groupName: r.groupName, reason: r.details.reason };
}

test('two users: both sides of every entity equal evaluateAll', async () => {
  const a = { userID: 'alice', customIDs: { stableID: 'diff-device-1' } };
  const b = { userID: 'bob', customIDs: { stableID: 'diff-device-2' }, locale: 'de_DE' };
  const view = await explorerView({ token: TOKEN, user: JSON.stringify(a), user2: JSON.stringify(b) });
  assert.equal(view.kind, 'ready');
  if (view.kind !== 'ready') return;
  assert.equal(view.diff?.mode, 'users');
  for (const e of view.diff!.diff.entities) {
    const { allocatedExperiment: _a, kind: _k, name: _n, ...gotA } = e.a!;
    const { allocatedExperiment: _b, kind: _k2, name: _n2, ...gotB } = e.b!;
    assert.deepEqual(gotA, sideOf(SPECS, a, e.kind, e.name), `${e.kind} ${e.name} A`);
    assert.deepEqual(gotB, sideOf(SPECS, b, e.kind, e.name), `${e.kind} ${e.name} B`);
  }
  // no second user: no diff
  const single = await explorerView({ token: TOKEN, user: JSON.stringify(a), user2: '  ' });
  assert.equal(single.kind === 'ready' && single.diff, null);
});

test('other specs as text and as an upload: side B equals evaluateAll on them; checks before reading', async () => {
  const next = JSON.parse(DCS) as { time: number; feature_gates: { name: string }[] };
  next.time += 1;
  next.feature_gates = next.feature_gates.map((g) => ({ ...g, name: `${g.name}_v2` }));
  const text = JSON.stringify(next);
  const specsB = parseSpecs(text, { source: 'Bootstrap' });
  const user = { userID: 'carol', customIDs: { stableID: 'diff-device-3' } };
  for (const fields of [{ specs: text }, { specsFile: new File([text], 'dcs.json', { type: 'application/json' }) }] as Record<string, string | Blob>[]) {
    const r = await explorerSpecsDiff(form({ token: TOKEN, user: JSON.stringify(user), ...fields }));
    assert.equal(r.kind, 'ready', JSON.stringify(r).slice(0, 200));
    if (r.kind !== 'ready') continue;
    assert.deepEqual(r.diff.counts.onlyA, next.feature_gates.length);
    assert.deepEqual(r.diff.counts.onlyB, next.feature_gates.length);
    for (const e of r.diff.entities) {
      if (e.b) {
        const { allocatedExperiment: _x, kind: _k, name: _n, ...got } = e.b;
        assert.deepEqual(got, sideOf(specsB, user, e.kind, e.name), `${e.kind} ${e.name} B`);
      }
    }
  }
  const big = MAX_EXPLORER_SPECS_BYTES + 1;
  const cases: [Record<string, string | Blob>, string, RegExp][] = [
    [{ token: 'wrong-token-0123456789', specs: text }, 'denied', /^$/],
    [{ specs: text }, 'denied', /^$/],
    [{ token: TOKEN, specsFile: new File([new Uint8Array(big)], 'big.json') }, 'invalid', new RegExp(`at most ${MAX_EXPLORER_SPECS_BYTES} bytes .*these are ${big}`)],
    [{ token: TOKEN, specs: ' '.repeat(big) }, 'invalid', /at most 4194304 bytes/],
    [{ token: TOKEN, specs: '' }, 'invalid', /paste or upload/],
    [{ token: TOKEN, specs: `${'{"a":'.repeat(70)}1${'}'.repeat(70)}` }, 'invalid', /nested deeper than 64 levels/],
    [{ token: TOKEN, specs: '{"feature_gates": [' }, 'invalid', /not valid JSON/],
    [{ token: TOKEN, specs: '{"feature_gates":[{"name":7}]}' }, 'invalid', /not a valid download_config_specs payload/],
    [{ token: TOKEN, user: '[1]', specs: text }, 'invalid', /must be a JSON object/],
  ];
  for (const [fields, kind, message] of cases) {
    const r = await explorerSpecsDiff(form(fields));
    assert.equal(r.kind, kind, `${Object.keys(fields).join(',')}: ${JSON.stringify(r).slice(0, 200)}`);
    if (r.kind === 'invalid') assert.match(r.message, message);
  }
});
