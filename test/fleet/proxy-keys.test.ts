/**
 * SDK keys at the proxy's door: an unknown key is verified once and checked again only when a client
 * asks for it; new keys are verified within --max-key-verifications-per-minute (503 + Retry-After
 * beyond it, upstream never asked); keys outside the SDK-key alphabet get 400 and leave /health ok;
 * the per-key cache announces every new lcut to its subscribers (the hook the gRPC server pushes from).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startProxy, type ForwardProxy, type SpecUpdate } from '../../server/proxy';
import { FakeUpstream, FIXTURE_SECRET, djb2 } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

const quiet = { log: () => {}, warn: () => {} };

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await request(url, { headers });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text };
}

describe('forward proxy: SDK keys', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  const updates: SpecUpdate[] = [];
  const dcsUrl = (key: string, v = 'v1') => `${proxy.url}/${v}/download_config_specs/${key}.json`;
  const upstreamAsked = (key: string) => up.dcsRequestsFor(key);

  before(async () => {
    await up.start();
    // 100 ms polls: a key that were polled in the background would show many requests quickly
    proxy = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 100, maxKeyVerificationsPerMinute: 6 }, quiet);
    proxy.specs.onSpecs((u) => updates.push(u));
  });
  after(async () => {
    await proxy.stop();
    await up.close();
  });

  test('the spec cache announces each new lcut of a key, v1 and v2, with the bytes it serves', async () => {
    const served = await get(dcsUrl(FIXTURE_SECRET));
    assert.equal(served.status, 200);
    const first = updates.find((u) => u.sdkKey === FIXTURE_SECRET && u.version === 'v1');
    assert.ok(first, 'announced');
    assert.equal(first.lcut, up.time);
    assert.equal(first.body.toString('utf8'), served.text);
    assert.equal((await get(dcsUrl(FIXTURE_SECRET, 'v2'))).status, 200);
    const v2 = updates.find((u) => u.version === 'v2');
    assert.equal(v2?.lcut, up.time);
    assert.notEqual(v2!.body.toString('utf8'), first.body.toString('utf8'), 'each format announced with its own bytes');
    const lcut = up.bump();
    await waitFor('both formats announced the new lcut', () => updates.filter((u) => u.lcut === lcut).length === 2, 5000);
    assert.equal(updates.filter((u) => u.lcut === lcut && u.version === 'v1').length, 1, 'once per lcut');
    const next = updates.find((u) => u.lcut === lcut && u.version === 'v1')!;
    assert.equal(JSON.parse(next.body.toString('utf8')).hashed_sdk_key_used, djb2(FIXTURE_SECRET));
  });

  test('a payload without time is served (statsig-node loads one), and polling the same payload again keeps its ETag', async () => {
    const key = 'secret-untimed';
    up.keys.set(key, 'ok');
    up.omitTime.add(key);
    const first = await get(dcsUrl(key));
    assert.equal(first.status, 200, first.text);
    const dcs = JSON.parse(first.text) as { time?: number; hashed_sdk_key_used: string };
    assert.equal(dcs.time, undefined);
    assert.equal(dcs.hashed_sdk_key_used, djb2(key));
    const asked = upstreamAsked(key);
    await waitFor('two more polls of the key', () => upstreamAsked(key) >= asked + 2, 5000);
    const again = await get(dcsUrl(key), { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.status, 304, 'the same payload polled again is the same version, not a new lcut per poll');
    assert.equal(updates.filter((u) => u.sdkKey === key).length, 1, 'announced once');
  });

  test('an unknown key is verified once, then checked again only when a client asks', async () => {
    const key = 'secret-made-up-once';
    assert.equal((await get(dcsUrl(key))).status, 401);
    assert.equal(upstreamAsked(key), 1);
    // ten polling intervals with nobody asking: upstream hears nothing of the key
    const healthyBefore = upstreamAsked(FIXTURE_SECRET);
    await waitFor('ten polls of the healthy key', () => upstreamAsked(FIXTURE_SECRET) >= healthyBefore + 10, 10_000);
    assert.equal(upstreamAsked(key), 1, 'not polled while nobody asks');
    // asked again after the interval: checked again (upstream revoking or granting a key is seen)
    up.keys.set(key, 'ok');
    await waitFor('granted key served', async () => (await get(dcsUrl(key))).status === 200, 5000);
    assert.ok(upstreamAsked(key) >= 2);
  });

  test('new keys beyond the verification budget get 503 + Retry-After and never reach upstream', async () => {
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 12; i++) {
      const r = await get(dcsUrl(`secret-flood-${i}`));
      statuses.push(r.status);
      if (r.status === 503) retryAfter = Number(r.headers['retry-after']);
    }
    const verified = [...Array(12).keys()].filter((i) => upstreamAsked(`secret-flood-${i}`) > 0).length;
    assert.ok(verified <= 6, `${verified} made-up keys verified with a budget of 6 a minute`);
    assert.equal(statuses.filter((s) => s === 401).length, verified);
    assert.equal(statuses.filter((s) => s === 503).length, 12 - verified);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.match(proxy.metricsText(), /firstlight_proxy_key_verifications_refused_total [1-9]/);
    // a known key is unaffected
    assert.equal((await get(dcsUrl(FIXTURE_SECRET))).status, 200);
    assert.equal(proxy.health().status, 'ok', 'refused keys are verdicts, not faults');
  });

  test('keys with CRLF, spaces or non-Latin-1 characters get 400 and leave /health ok', async () => {
    const keysBefore = proxy.health().keys.length;
    const bad = ['secret-a%0D%0AX-Injected:%201', 'secret-%C3%A9t%C3%A9', 'secret-%E2%9C%93', 'secret-a%20b', 'secret-a%00b'];
    for (const k of bad) assert.equal((await get(dcsUrl(k))).status, 400, k);
    for (const k of bad) assert.equal((await get(dcsUrl(k, 'v2'))).status, 400, k);
    // Node's parser passes Latin-1 header bytes through: still 400
    const latin1 = Buffer.from('secret-\u00e9', 'latin1').toString('latin1');
    for (const path of ['/v1/log_event', '/v1/get_id_lists']) {
      const r = await request(`${proxy.url}${path}`, { method: 'POST', body: '{"events":[]}', headers: { 'statsig-api-key': latin1, 'content-type': 'application/json' } });
      await r.body.dump();
      assert.equal(r.statusCode, 400, path);
    }
    // a malformed %-escape in a list file name is "no such file", not a 500
    assert.equal((await get(`${proxy.url}/v1/id_list_file/some-token/%E0%A4%A`)).status, 404);
    assert.equal((await get(`${proxy.url}/v1/id_list_file/some-token/a/b`)).status, 404);
    assert.doesNotMatch(proxy.metricsText(), /route="error"/, 'no request ended in a 500');
    assert.equal(proxy.health().keys.length, keysBefore, 'no key state for refused keys');
    assert.equal(proxy.health().status, 'ok');
  });
});
