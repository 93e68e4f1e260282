/**
 * SDK option `api` routes every endpoint (download_config_specs included, as statsig-node 6.5.2's
 * StatsigOptions does) unless a per-endpoint option overrides it; `fallbackToStatsigApi` asks
 * Statsig's own endpoint when an overridden one fails.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Statsig } from '../../server/statsig';
import { silentLogger } from '../../server/logger';
import { normalizeOptions } from '../../server/options';
import { HttpClient } from '../../server/net/http-client';
import { FakeStatsig, SECRET } from './support/fake-statsig';

test('`api` alone routes download_config_specs, get_id_lists and log_event to one base', async () => {
  const fake = await new FakeStatsig().start();
  const statsig = new Statsig(SECRET, { api: fake.api, rulesetsSyncIntervalMs: 600_000, idListsSyncIntervalMs: 600_000, flushIntervalMs: 10, logger: silentLogger });
  try {
    const init = await statsig.initialize();
    assert.equal(init.source, 'network');
    assert.equal(statsig.checkGate({ userID: 'user-1', email: 'alice@example.com' }, 'public_gate'), true);
    statsig.logEvent({ userID: 'user-1' }, 'routed');
    await statsig.flush();
    const paths = new Set(fake.requests.map((r) => r.path.replace(/\/download_config_specs\/.*/, '/download_config_specs/<key>')));
    for (const p of ['/v1/download_config_specs/<key>', '/v1/get_id_lists', '/v1/log_event']) assert.ok(paths.has(p), `${p} asked of the api base: ${[...paths].join(', ')}`);
  } finally {
    await statsig.shutdown(1000);
    await fake.close();
  }
});

test('a per-endpoint option still wins over `api`; fallback URLs only for overridden endpoints and only when asked', () => {
  const o = normalizeOptions('secret-x', { api: 'http://proxy.local/v1', apiForDownloadConfigSpecs: 'http://cdn-proxy.local/v1' });
  assert.equal(o.urls.downloadConfigSpecs, 'http://cdn-proxy.local/v1');
  assert.equal(o.urls.getIdLists, 'http://proxy.local/v1');
  assert.deepEqual(o.fallbackUrls, { downloadConfigSpecs: null, getIdLists: null });
  const f = normalizeOptions('secret-x', { api: 'http://proxy.local/v1', fallbackToStatsigApi: true });
  assert.equal(f.urls.downloadConfigSpecs, 'http://proxy.local/v1');
  assert.deepEqual(f.fallbackUrls, { downloadConfigSpecs: 'https://api.statsigcdn.com/v1', getIdLists: 'https://statsigapi.net/v1' });
  assert.deepEqual(normalizeOptions('secret-x', { fallbackToStatsigApi: true }).fallbackUrls, { downloadConfigSpecs: null, getIdLists: null });
  assert.throws(() => normalizeOptions('secret-x', { fallbackToStatsigApi: 'yes' as never }), /fallbackToStatsigApi/);
  assert.throws(() => normalizeOptions('secret-x', { fallbackToStatsigAPI: true } as never), /use "fallbackToStatsigApi"/);
});

test('a request whose URL fails is sent to its fallback URL; an answering URL never touches the fallback', async () => {
  const dead = createServer((req) => req.socket.destroy());
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
  const fake = await new FakeStatsig().start();
  const http = normalizeOptions(SECRET, { api: fake.api }).http;
  const client = new HttpClient(SECRET, { ...http, maxRetries: 1, retryBackoffMs: 1 });
  try {
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/v1/download_config_specs/${SECRET}.json`;
    const res = await client.send({ method: 'GET', url: deadUrl, fallbackUrl: `${fake.api}/download_config_specs/${SECRET}.json` });
    assert.equal(res.status, 200);
    assert.equal(fake.requests.length, 1);
    await client.send({ method: 'GET', url: `${fake.api}/download_config_specs/${SECRET}.json`, fallbackUrl: deadUrl });
    assert.equal(fake.requests.length, 2);
    await assert.rejects(client.send({ method: 'GET', url: deadUrl }));
  } finally {
    await client.close();
    dead.close();
    await fake.close();
  }
});
