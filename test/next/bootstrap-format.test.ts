// FIRSTLIGHT_BOOTSTRAP_FORMAT on the routes, in-process on the demo specs with the deployment set to init-v2:
// GET /bootstrap answers in it (or in the page options' own format, which wins), its ETag differs per format
// (a cached v1 body is not revalidated as an init-v2 one), POST /bootstrap follows it unless the body pins
// `format`, POST /initialize stays v1 (any SDK may call it, and its request does not say what it reads), and the
// fail-open empty bootstrap takes the format too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'fl-format-'));
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SERVER_SECRET = 'secret-demo';
process.env.FIRSTLIGHT_SPECS_FILE = 'data/demo-dcs.json';
process.env.FIRSTLIGHT_EVENT_LOG = join(dir, 'events.jsonl');
process.env.FIRSTLIGHT_BOOTSTRAP_TOKEN = 'format-test-token-0123456789';
process.env.FIRSTLIGHT_BOOTSTRAP_FORMAT = 'init-v2';

const routes = await import('../../server/next/routes');
const { getStatsig } = await import('../../server/next/instance');
const { nextConfig } = await import('../../server/next/config');
const { stableIdCookieName } = await import('../../server/next/stable-id');
const { djb2 } = await import('../../lib/index');

after(async () => {
  await (await getStatsig()).shutdown(2_000);
  rmSync(dir, { recursive: true, force: true });
});

const KEY = 'client-firstlight-demo';
const DEVICE = 'format-device-0000-4000-8000-000000000001';
const COOKIE = `${stableIdCookieName(KEY)}=${DEVICE}`;

type Payload = { response_format?: string; user: { customIDs?: { stableID?: string } }; dynamic_configs: Record<string, Record<string, unknown>>; values?: Record<string, unknown> };

function getRequest(headers: Record<string, string> = {}) {
  return Object.assign(new Request('http://127.0.0.1/api/statsig/bootstrap', { headers: { cookie: COOKIE, ...headers } }), { cookies: { get: () => undefined } });
}

function postBootstrap(body: unknown) {
  return routes.bootstrapPOST(
    new Request('http://127.0.0.1/api/statsig/bootstrap', {
      method: 'POST',
      headers: { authorization: 'Bearer format-test-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** hero_copy's value, read in the payload's own format. */
function heroValue(cir: Payload): unknown {
  const e = cir.dynamic_configs[djb2('hero_copy')]!;
  return cir.response_format === 'init-v2' ? cir.values![e.v as string] : e.value;
}

test('the deployment setting is read', () => {
  assert.equal(nextConfig().bootstrapFormat, 'init-v2');
});

test('GET /bootstrap: the deployment format, unless the page options name one; one ETag per format', async () => {
  const deployment = await routes.makeBootstrapGET({})(getRequest());
  assert.equal(deployment.status, 200);
  const v2 = (await deployment.json()) as Payload;
  assert.equal(v2.response_format, 'init-v2');
  assert.equal(v2.user.customIDs?.stableID, DEVICE);

  const page = await routes.makeBootstrapGET({ format: 'v1' })(getRequest());
  const v1 = (await page.json()) as Payload;
  assert.equal(v1.response_format, undefined);
  assert.deepEqual(heroValue(v1), heroValue(v2));

  const etagV2 = deployment.headers.get('etag')!;
  const etagV1 = page.headers.get('etag')!;
  assert.notEqual(etagV2, etagV1);
  assert.equal((await routes.makeBootstrapGET({})(getRequest({ 'if-none-match': etagV2 }))).status, 304);
  assert.equal((await routes.makeBootstrapGET({})(getRequest({ 'if-none-match': etagV1 }))).status, 200);
});

test('GET /bootstrap made with a format that is not one: refused when the route is made, naming the option', () => {
  for (const format of ['v3', 'INIT-V2', 2, null]) {
    assert.throws(
      () => routes.makeBootstrapGET({ format } as never),
      (e: unknown) => e instanceof Error && e.name === 'InvalidOptionError' && /format must be 'v1' or 'init-v2'/.test(e.message),
      String(format),
    );
  }
});

test('POST /bootstrap: the deployment format without `format`, the body\'s when given, 400 for anything else', async () => {
  const user = { userID: 'bob', customIDs: { stableID: DEVICE } };
  const plain = (await (await postBootstrap({ user })).json()) as Payload;
  assert.equal(plain.response_format, 'init-v2');
  const pinned = (await (await postBootstrap({ user, format: 'v1' })).json()) as Payload;
  assert.equal(pinned.response_format, undefined);
  assert.deepEqual(heroValue(pinned), heroValue(plain));
  for (const format of ['v2', 'INIT-V2', '', null, 2]) {
    const res = await postBootstrap({ user, format });
    assert.equal(res.status, 400, String(format));
    const body = (await res.json()) as { issues: { path: string }[] };
    assert.equal(body.issues[0]!.path, 'format');
  }
});

test('POST /initialize stays v1 on an init-v2 deployment', async () => {
  const res = await routes.initializePOST(
    new Request(`http://127.0.0.1/api/statsig/initialize?k=${KEY}`, { method: 'POST', body: JSON.stringify({ user: { userID: 'carol' }, statsigMetadata: { stableID: DEVICE } }) }),
  );
  assert.equal(res.status, 200);
  const cir = (await res.json()) as Payload;
  assert.equal(cir.response_format, undefined);
  assert.equal(cir.user.customIDs?.stableID, DEVICE);
});

test('the fail-open empty bootstrap is written in the format it is given', async () => {
  const { emptyBootstrap } = await import('../../server/next/empty-bootstrap');
  const user = { customIDs: { stableID: DEVICE } };
  const v2 = JSON.parse(emptyBootstrap(user, KEY, 'minimal', 'init-v2')) as Payload;
  assert.equal(v2.response_format, 'init-v2');
  assert.deepEqual(v2.dynamic_configs, {});
  assert.equal((JSON.parse(emptyBootstrap(user, KEY, 'minimal', 'v1')) as Payload).response_format, undefined);
});
