/**
 * The one upstream client (server/net/http-client.ts over undici's retry interceptor): which answers are
 * retried, Retry-After, the per-request SDK key and retry count, abort during a backoff, a hard deadline.
 * Order is proven by what the server saw, never by clocks.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { HttpClient } from '../../server/net/http-client';
import { HttpError } from '../../server/net/http-error';
import { normalizeOptions } from '../../server/options';

const SECRET = 'secret-http-client';
let server: Server;
let base = '';
/** statuses to answer, in order (then 200); each request is recorded */
let script: { status: number; headers?: Record<string, string> }[] = [];
let hang = false;
const seen: IncomingMessage[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    if (hang) return; // never answers
    const next = script.shift() ?? { status: 200 };
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(JSON.stringify({ n: seen.length }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const client = (http: Record<string, number> = {}) => new HttpClient(SECRET, { ...normalizeOptions(SECRET, {}).http, retryBackoffMs: 5, ...http });

test("Statsig's retryable statuses are retried, then the answer is returned; final statuses are not retried", async () => {
  const c = client({ maxRetries: 3 });
  try {
    for (const status of [408, 500, 502, 503, 504, 522, 524, 599]) {
      script = [{ status }, { status }];
      const before = seen.length;
      const res = await c.send({ method: 'GET', url: `${base}/dcs` });
      assert.equal(res.status, 200, `${status} then 200`);
      assert.equal(seen.length - before, 3, `${status}: two retries`);
    }
    for (const status of [400, 401, 403, 404, 413, 429]) {
      script = [{ status }];
      const before = seen.length;
      await assert.rejects(c.send({ method: 'POST', url: `${base}/x`, body: '{}' }), (e: HttpError) => e.status === status && !e.retryable);
      assert.equal(seen.length - before, 1, `${status} is final`);
    }
    script = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    const before = seen.length;
    await assert.rejects(c.send({ method: 'GET', url: `${base}/x` }), (e: HttpError) => e.status === 503 && e.retryable);
    assert.equal(seen.length - before, 4, 'maxRetries 3: four attempts');
    assert.ok(c.stats.retries > 0);
    script = [];
  } finally {
    await c.close();
  }
});

test('a POST body is sent again intact on a retry; maxRetries per request; the SDK key per request', async () => {
  const c = client({ maxRetries: 2 });
  try {
    const bodies: string[] = [];
    const onReq = (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => bodies.push(Buffer.concat(chunks).toString('utf8')));
    };
    server.prependListener('request', onReq);
    script = [{ status: 503 }];
    await c.send({ method: 'POST', url: `${base}/log_event`, body: Buffer.from('{"events":[1,2,3]}') });
    server.off('request', onReq);
    assert.deepEqual(bodies, ['{"events":[1,2,3]}', '{"events":[1,2,3]}']);

    script = [{ status: 503 }];
    let before = seen.length;
    await assert.rejects(c.send({ method: 'POST', url: `${base}/log_event`, body: '{}', maxRetries: 0 }));
    assert.equal(seen.length - before, 1, 'maxRetries: 0 sends once');

    before = seen.length;
    const r = await c.exchange({ method: 'GET', url: `${base}/k`, sdkKey: 'secret-other-key' });
    assert.equal(r.status, 200);
    assert.equal(seen[before]!.headers['statsig-api-key'], 'secret-other-key');
    await c.send({ method: 'GET', url: `${base}/k` });
    assert.equal(seen[before + 1]!.headers['statsig-api-key'], SECRET);
  } finally {
    await c.close();
  }
});

test('exchange() returns any final status; a retryable one after its retries', async () => {
  const c = client({ maxRetries: 1 });
  try {
    script = [{ status: 401 }];
    assert.equal((await c.exchange({ method: 'GET', url: `${base}/k` })).status, 401);
    script = [{ status: 503 }, { status: 503 }];
    const before = seen.length;
    assert.equal((await c.exchange({ method: 'GET', url: `${base}/k` })).status, 503);
    assert.equal(seen.length - before, 2);
  } finally {
    await c.close();
  }
});

test("Retry-After is obeyed (a long one fails at once instead of holding the caller); an abort ends a backoff", async () => {
  const c = client({ maxRetries: 3, retryBackoffMs: 1 });
  try {
    // Retry-After beyond what the client waits: the request fails now, the caller's own loop decides
    script = [{ status: 503, headers: { 'retry-after': '3600' } }];
    let before = seen.length;
    await assert.rejects(c.send({ method: 'GET', url: `${base}/k` }), (e: HttpError) => e.status === 503);
    assert.equal(seen.length - before, 1);
    // a 2 s Retry-After, aborted while waiting: rejected as aborted, no second attempt
    script = [{ status: 503, headers: { 'retry-after': '2' } }];
    before = seen.length;
    const ac = new AbortController();
    const p = c.send({ method: 'GET', url: `${base}/k`, signal: ac.signal });
    while (seen.length === before) await new Promise((r) => setImmediate(r));
    ac.abort();
    await assert.rejects(p);
    assert.equal(seen.length - before, 1, 'no attempt after the abort');
    script = [];
  } finally {
    await c.close();
  }
});

test('a hard deadline ends a request that never answers, as a retryable failure', async () => {
  const c = client({ maxRetries: 0, headersTimeoutMs: 60_000 });
  hang = true;
  try {
    await assert.rejects(c.send({ method: 'GET', url: `${base}/hang`, timeoutMs: 200 }), (e: HttpError) => e.status === null && e.retryable && /deadline/.test(e.message));
  } finally {
    hang = false;
    await c.close();
  }
});

test("a caller's long-lived signal keeps no listener per request (a delivery channel passes one signal for every batch)", async () => {
  const c = client({ maxRetries: 0 });
  const life = new AbortController();
  try {
    const listeners = async (n: number) => {
      for (let i = 0; i < n; i++) await c.send({ method: 'GET', url: `${base}/x`, signal: life.signal });
      return EventEmitter.getEventListeners(life.signal, 'abort').length;
    };
    const early = await listeners(2);
    // undici may keep one of its own; what must not happen is one more per request (it was 13 after 12)
    assert.equal(await listeners(10), early, 'listeners do not grow with requests');
    assert.ok(early <= 1, `${early} listeners after 2 requests`);
  } finally {
    await c.close();
  }
});
