// An app configured with specs but with no event destination (no Statsig account, no FIRSTLIGHT_EVENT_LOG):
// nothing is written to disk, and the event routes refuse batches with 501 instead of a 202 that
// nothing would keep; health says events are off without calling the service degraded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cwd = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'fl-no-events-'));
process.env.FIRSTLIGHT_CLIENT_KEY = 'client-firstlight-demo';
process.env.FIRSTLIGHT_SPECS_FILE = join(cwd, 'data', 'demo-dcs.json');
for (const k of ['FIRSTLIGHT_EVENT_LOG', 'FIRSTLIGHT_EVENT_SPOOL_DIR', 'STATSIG_SERVER_SECRET']) delete process.env[k];
// relative defaults, had there been any, would land here
process.chdir(dir);

const routes = await import('../../server/next/routes');
const { getStatsig } = await import('../../server/next/instance');
const { stableIdCookieName } = await import('../../server/next/stable-id');
const { checkConfig } = await import('../../server/next/config');

const KEY = 'client-firstlight-demo';
const base = 'http://127.0.0.1:3000/api/statsig';

after(async () => {
  await (await getStatsig()).shutdown(1_000);
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

test('rgstr and log_event answer 501 naming what to configure; shown too; health ok with eventsEnabled false', async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
  try {
    assert.equal(checkConfig().eventDestination, null);
  } finally {
    console.warn = warn;
  }
  assert.ok(warnings.some((w) => /no event destination \(STATSIG_SERVER_SECRET or FIRSTLIGHT_EVENT_LOG\)/.test(w)), warnings.join('\n'));

  const cookie = `${stableIdCookieName(KEY)}=no-events-client-0001`;
  const body = JSON.stringify({ events: [{ eventName: 'click', user: { userID: 'u' }, time: 1 }], statsigMetadata: { stableID: 'no-events-client-0001' } });
  for (const path of ['rgstr', 'log_event']) {
    const res = await routes.eventsPOST(new Request(`${base}/${path}?k=${KEY}`, { method: 'POST', body, headers: { cookie } }));
    assert.equal(res.status, 501, path);
    assert.match(((await res.json()) as { error: string }).error, /no event destination is configured \(STATSIG_SERVER_SECRET or FIRSTLIGHT_EVENT_LOG\)/);
  }
  const shown = await routes.makeExposuresShownPOST()(
    Object.assign(new Request(`${base}/shown`, { method: 'POST', body: JSON.stringify({ gates: ['new_checkout'] }), headers: { cookie, 'sec-fetch-site': 'same-origin' } }), {
      cookies: { get: () => undefined },
    }),
  );
  assert.equal(shown.status, 501);

  const health = await routes.healthGET();
  assert.equal(health.status, 200);
  const h = (await health.json()) as { ok: boolean; eventsEnabled: boolean };
  assert.equal(h.ok, true);
  assert.equal(h.eventsEnabled, false);
  assert.deepEqual(readdirSync(dir), [], 'nothing written in the working directory');
});
