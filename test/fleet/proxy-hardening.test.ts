/**
 * The forward proxy against hostile or unusual requests, in one process with a fake upstream: every
 * log_event encoding Statsig SDKs send (zstd included), compression bombs, a body nested 4,200 deep,
 * 10 MB events, keys outside the SDK-key alphabet, DCS v2 with sinceTime, ETag/304, gzip and br.
 * After each attack the proxy still answers, and the whole file fails on any unhandled rejection.
 */
import assert from 'node:assert/strict';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startProxy, type ForwardProxy } from '../../server/proxy';
import { CHANNEL_BYTES } from '../../server/proxy/log-events';
import { parseSpecs, specsInfo } from '../../lib/index';
import { FakeUpstream, FIXTURE_SECRET, djb2 } from './support/fake-upstream';
import { waitFor } from './support/wait';
import './support/no-unhandled';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);

const quiet = { log: () => {}, warn: () => {} };
const KEY = { 'statsig-api-key': FIXTURE_SECRET };

async function call(url: string, init: { method?: 'GET' | 'POST'; body?: string | Buffer; headers?: Record<string, string> } = {}) {
  const r = await request(url, { method: init.method ?? 'GET', body: init.body, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, body, text: body.toString('utf8') };
}

/**
 * A zstd frame built by hand (this package set has a zstd decoder only): Raw blocks carry bytes
 * as they are, RLE blocks repeat one byte — 4 bytes of input for 128 KiB of output, a bomb.
 */
function zstdFrame(blocks: ({ raw: Buffer } | { rle: number; size: number })[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic; no FCS; window 128 KiB
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const [type, size, content] = 'raw' in b ? [0, b.raw.length, b.raw] : [1, b.size, Buffer.from([b.rle])];
    const h = last | (type << 1) | (size << 3);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), content);
  });
  return Buffer.concat(parts);
}
function zstdRaw(data: Buffer): Buffer {
  const blocks: { raw: Buffer }[] = [];
  for (let i = 0; i < data.length; i += 65536) blocks.push({ raw: data.subarray(i, i + 65536) });
  return zstdFrame(blocks);
}

describe('forward proxy under hostile input', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  const upEvents = (name: string) => up.logEventBatches.flatMap((b) => b.events).filter((e) => (e as { eventName?: string }).eventName === name).length;
  const alive = async () => assert.equal((await call(`${proxy.url}/health`)).status, 200);

  before(async () => {
    await up.start();
    proxy = await startProxy(
      { port: 0, upstream: up.url, pollingIntervalMs: 200, logEventFlushIntervalMs: 50, logEventRetryBackoffMs: 20, logEventMaxQueueBytes: 45 * 1024 * 1024 },
      quiet,
    );
  });
  after(async () => {
    await proxy.stop();
    await up.close();
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  test('log_event in identity, gzip, deflate, br and zstd: every event reaches upstream', async () => {
    const body = (name: string) => Buffer.from(JSON.stringify({ events: [{ eventName: name, user: { userID: 'u' }, time: 1 }], statsigMetadata: { sdkType: 't' } }));
    const encodings: [string, (b: Buffer) => Buffer][] = [
      ['identity', (b) => b],
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
      ['zstd', zstdRaw],
    ];
    for (const [enc, f] of encodings) {
      const r = await call(`${proxy.url}/v1/log_event`, { method: 'POST', body: f(body(`enc_${enc}`)), headers: { ...KEY, 'content-encoding': enc } });
      assert.equal(r.status, 202, `${enc}: ${r.text}`);
    }
    await waitFor('all five upstream', () => encodings.every(([enc]) => upEvents(`enc_${enc}`) === 1), 5000);
  });

  test('bad bodies: clear 4xx, nothing queued, proxy up', async () => {
    const post = (body: Buffer | string, headers: Record<string, string> = {}) => call(`${proxy.url}/v1/log_event`, { method: 'POST', body, headers: { ...KEY, ...headers } });
    // 20 MB of one byte behind 640 bytes of zstd, and a gzip/br bomb: refused before inflating past the limit
    const rle = zstdFrame(Array.from({ length: 160 }, () => ({ rle: 0x20, size: 131072 })));
    assert.ok(rle.length < 1024);
    assert.equal((await post(rle, { 'content-encoding': 'zstd' })).status, 413);
    assert.equal((await post(brotliCompressSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), { 'content-encoding': 'br' })).status, 413);
    assert.equal((await post(Buffer.from('not zstd at all'), { 'content-encoding': 'zstd' })).status, 400);
    assert.equal((await post(Buffer.from('not deflate'), { 'content-encoding': 'deflate' })).status, 400);
    const unknownEnc = await post('{"events":[]}', { 'content-encoding': 'lzma' });
    assert.equal(unknownEnc.status, 415);
    assert.match(unknownEnc.text, /identity, gzip, deflate, br or zstd/);
    assert.equal((await post('{"events": [1, 2')).status, 400);
    assert.equal((await post('{"events": {}}')).status, 400);
    await alive();
  });

  test('a body nested 4,200 deep is refused before parsing; the proxy stays up and keeps forwarding', async () => {
    const deep = `{"events":[{"eventName":"deep","metadata":${'['.repeat(4200)}${']'.repeat(4200)}}]}`;
    const r = await call(`${proxy.url}/v1/log_event`, { method: 'POST', body: deep, headers: KEY });
    assert.equal(r.status, 400);
    assert.match(r.text, /nested deeper than 64/);
    // brackets inside strings are not nesting
    const quoted = JSON.stringify({ events: [{ eventName: 'quoted', metadata: { s: '['.repeat(5000) + '\\"{' } }] });
    assert.equal((await call(`${proxy.url}/v1/log_event`, { method: 'POST', body: quoted, headers: KEY })).status, 202);
    await waitFor('the quoted event upstream', () => upEvents('quoted') === 1, 5000);
    await alive();
  });

  test('10 MB events: each accepted one reaches upstream, the rest get 503 with Retry-After, nothing lost', async () => {
    const big = (i: number) => JSON.stringify({ events: [{ eventName: 'big', metadata: { i, pad: 'x'.repeat(10 * 1024 * 1024 - 200) } }] });
    up.logEventHang = true; // hold everything in the proxy so the byte bound is reached
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 8; i++) {
      const r = await call(`${proxy.url}/v1/log_event`, { method: 'POST', body: big(i), headers: KEY });
      if (r.status === 202) accepted++;
      else {
        assert.equal(r.status, 503, r.text);
        assert.ok(Number(r.headers['retry-after']) >= 1);
        refused++;
      }
    }
    assert.ok(accepted >= 3 && refused >= 1, `accepted ${accepted}, refused ${refused}`);
    assert.ok(proxy.health().logEvents.queued <= accepted);
    await alive();
    up.logEventHang = false;
    await waitFor('every accepted 10 MB event upstream', () => upEvents('big') === accepted, 20_000);
    assert.equal(proxy.health().logEvents.dropped, refused);
  });

  test('keys outside the SDK-key alphabet get 400 and leave /health ok', async () => {
    for (const bad of ['secret%0D%0Ainjected', 'secret-%E2%9C%93', 'secret%20key', 'a%2Fb']) {
      for (const v of ['v1', 'v2']) {
        const r = await call(`${proxy.url}/${v}/download_config_specs/${bad}.json`);
        assert.ok(r.status === 400, `${v} ${bad}: ${r.status}`);
      }
    }
    const r = await call(`${proxy.url}/v1/log_event`, { method: 'POST', body: '{"events":[{}]}', headers: { 'statsig-api-key': 'secret key;x' } });
    assert.equal(r.status, 400);
    const h = proxy.health();
    assert.equal(h.status, 'ok', JSON.stringify(h));
  });

  test('GET /v2/download_config_specs: upstream v2 relayed and validated; sinceTime, ETag/304, gzip and br', async () => {
    const url = `${proxy.url}/v2/download_config_specs/${FIXTURE_SECRET}.json`;
    const r = await call(`${url}?supports_proto=true`);
    assert.equal(r.status, 200, r.text);
    const v2 = JSON.parse(r.text) as { time: number; feature_gates: unknown; condition_map: unknown; hashed_sdk_key_used: string };
    assert.ok(!Array.isArray(v2.feature_gates) && typeof v2.condition_map === 'object', 'a v2 payload');
    assert.equal(v2.hashed_sdk_key_used, djb2(FIXTURE_SECRET));
    assert.equal(specsInfo(parseSpecs(r.text, { serverSecret: FIXTURE_SECRET })).lcut, up.time);
    assert.ok(up.dcsByVersion.v2 >= 1);
    assert.equal((await call(url, { headers: { 'if-none-match': String(r.headers.etag) } })).status, 304);
    assert.deepEqual(JSON.parse((await call(`${url}?sinceTime=${up.time}&supports_proto=true`)).text), { has_updates: false });
    const gz = await call(url, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gunzipSync(gz.body).toString('utf8'), r.text);
    const br = await call(url, { headers: { 'accept-encoding': 'statsig-br, gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString('utf8'), r.text);
    // v1 of the same key is its own cache entry, in its own format
    const v1 = JSON.parse((await call(`${proxy.url}/v1/download_config_specs/${FIXTURE_SECRET}.json`)).text) as { feature_gates: unknown };
    assert.ok(Array.isArray(v1.feature_gates));
    const lcut = up.bump();
    await waitFor('new v2 lcut', async () => (JSON.parse((await call(url)).text) as { time: number }).time === lcut, 5000);
    assert.equal((await call(`${proxy.url}/v2/download_config_specs/secret-unknown.json`)).status, 401);
  });
});

describe('forward proxy: a statsigMetadata per event cannot hold channels outside the byte bound', () => {
  const up = new FakeUpstream();
  let proxy: ForwardProxy;
  const BOUND = 1024 * 1024;

  before(async () => {
    await up.start();
    proxy = await startProxy({ port: 0, upstream: up.url, pollingIntervalMs: 1000, logEventFlushIntervalMs: 50, logEventRetryBackoffMs: 20, logEventMaxQueueBytes: BOUND }, quiet);
  });
  after(async () => {
    await proxy.stop();
    await up.close();
  });

  test('each channel counts against the bound while it holds events, and is given back once delivered', async () => {
    up.logEventHang = true;
    const post = (i: number) =>
      call(`${proxy.url}/v1/log_event`, {
        method: 'POST',
        body: JSON.stringify({ events: [{ eventName: 'own_meta', value: i }], statsigMetadata: { sdkType: 'x', sessionID: `session-${i}` } }),
        headers: KEY,
      });
    let accepted = 0;
    for (let i = 0; i < 600; i++) if ((await post(i)).status === 202) accepted++;
    // a ~60-byte event alone would let all 600 in; with its channel each costs over CHANNEL_BYTES
    assert.ok(accepted > 0 && accepted * CHANNEL_BYTES <= BOUND, `accepted ${accepted} one-event channels under a ${BOUND}-byte bound`);
    assert.equal(proxy.health().logEvents.dropped, 600 - accepted);
    up.logEventHang = false;
    await waitFor('every accepted event upstream', () => up.logEventBatches.flatMap((b) => b.events).filter((e) => (e as { eventName?: string }).eventName === 'own_meta').length === accepted, 30_000);
    await waitFor('nothing held', () => proxy.health().logEvents.queued === 0, 10_000);
    let again = 0;
    for (let i = 600; i < 600 + accepted; i++) if ((await post(i)).status === 202) again++;
    assert.equal(again, accepted, 'the channels let go gave their bytes back');
  });
});
