// Options are validated once, with errors that name the field and the value; defaults follow the mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { normalizeOptions } from '../../server/options';
import { MemoryDataStore } from '../../server/store/memory-data-store';
import { InvalidOptionError } from '../../lib/errors';

function fails(secret: unknown, options: unknown, message: RegExp) {
  assert.throws(
    () => normalizeOptions(secret, options),
    (err: unknown) => {
      assert.ok(err instanceof InvalidOptionError, `expected InvalidOptionError, got ${err}`);
      assert.equal((err as InvalidOptionError).code, 'FL_ERR_INVALID_OPTION');
      assert.match((err as Error).message, message);
      return true;
    },
  );
}

test('bad options name the field and the value got', () => {
  fails('s', { rulesetsSyncIntervalMs: 5 }, /option "rulesetsSyncIntervalMs" must be >= 50 \(got 5\)/);
  fails('s', { rulesetsSyncIntervalMs: '1000' }, /"rulesetsSyncIntervalMs".*got "1000"/);
  fails('s', { api: 'ftp://x' }, /option "api" must be an http\(s\) URL \(got "ftp:\/\/x"\)/);
  fails('s', { initializeSources: ['network', 'cdn'] }, /"initializeSources\[1\]" must be one of file, network, dataStore, bootstrap/);
  fails('s', { initializeSources: ['network', 'network'] }, /must not name a source twice/);
  fails('s', { onRulesUpdated: 'yes' }, /"onRulesUpdated" must be a function/);
  fails('s', { dataStore: { get() {} } }, /"dataStore" must implement initialize\(\), get\(\), set\(\) and shutdown\(\)/);
  fails('s', { eventSinks: ['kafka'] }, /"eventSinks\[0\]"/);
  fails('s', { eventQueueSize: 0 }, /"eventQueueSize"/);
  fails('s', { http: { bodyTimeoutMs: 0 } }, /"http.bodyTimeoutMs"/);
  fails('s', { http: { proxy: 'x' } }, /unknown option "http.proxy"/);
  fails('s', { rulesetSyncIntervalMs: 1000 }, /unknown option "rulesetSyncIntervalMs"/);
  fails('s', { environment: 3 }, /"environment" must be a tier string/);
  fails('s', null, /options must be an object/);
  fails(42, {}, /server secret must be a string \(got 42\)/);
});

test('statsig-node option names are refused with their replacement', () => {
  fails('s', { rulesUpdatedCallback: () => {} }, /"rulesUpdatedCallback" is not supported, use "onRulesUpdated" instead/);
  fails('s', { dataAdapter: new MemoryDataStore() }, /use "dataStore"/);
  fails('s', { loggingMaxBufferSize: 10 }, /use "eventQueueSize"/);
});

test('sources must be usable in the mode chosen', () => {
  fails('s', { localMode: true, initializeSources: ['network'] }, /names "network", but localMode makes no network requests/);
  fails('', { initializeSources: ['network'] }, /needs a server secret/);
  fails('s', { configSyncSources: ['dataStore'] }, /needs a dataStore/);
  fails('s', { initializeSources: ['bootstrap'] }, /needs bootstrapValues/);
  fails('s', { localMode: true, eventSinks: ['statsig'] }, /eventSinks.*localMode/);
});

test('defaults: with a secret, network specs and Statsig events; without, only what is configured (no file is chosen for you)', () => {
  const up = normalizeOptions('secret-x');
  assert.deepEqual(up.initializeSources, ['network']);
  assert.deepEqual(up.configSyncSources, ['network']);
  assert.deepEqual(up.eventSinks, ['statsig']);
  assert.equal(up.urls.downloadConfigSpecs, 'https://api.statsigcdn.com/v1');
  assert.equal(up.urls.logEvent, 'https://statsigapi.net/v1');
  assert.equal(up.rulesetsSyncIntervalMs, 10_000);
  assert.equal(up.exposureDedupeMaxKeys, 50_000);

  // without a secret there is no default specs file and no default event log
  assert.throws(() => normalizeOptions(''), (e: Error & { code?: string }) => e.code === 'FL_ERR_INVALID_OPTION' && /without a server secret, give specsFile, bootstrapValues or dataStore/.test(e.message));
  const local = normalizeOptions('', { specsFile: 'specs/dcs.json' });
  assert.equal(local.specsFile, resolve('specs/dcs.json'));
  assert.deepEqual(local.initializeSources, ['file']);
  assert.deepEqual(local.configSyncSources, ['file']);
  assert.deepEqual(local.eventSinks, [], 'no event log unless one is configured');
  assert.equal(local.eventLogFile, null);
  assert.equal(local.eventSpoolDir, null);
  const logged = normalizeOptions('', { specsFile: 'specs/dcs.json', eventLogFile: 'log/events.jsonl' });
  assert.deepEqual(logged.eventSinks, ['file']);
  assert.equal(logged.eventLogFile, resolve('log/events.jsonl'));
  assert.throws(() => normalizeOptions('', { localMode: true, eventSinks: ['file'] }), /eventSinks" names "file", but it needs eventLogFile/);

  const lm = normalizeOptions('secret-x', { localMode: true });
  assert.deepEqual(lm.initializeSources, []);
  assert.deepEqual(lm.eventSinks, []);
  assert.deepEqual(normalizeOptions('', { localMode: true }).initializeSources, [], 'localMode alone: defaults and overrides');

  const proxied = normalizeOptions('secret-x', { api: 'http://proxy.local/v1/', apiForDownloadConfigSpecs: 'http://proxy.local:81/v1' });
  assert.equal(proxied.urls.getIdLists, 'http://proxy.local/v1');
  assert.equal(proxied.urls.downloadConfigSpecs, 'http://proxy.local:81/v1');

  const boot = normalizeOptions('secret-x', { bootstrapValues: '{}', dataStore: new MemoryDataStore() });
  assert.deepEqual(boot.initializeSources, ['bootstrap', 'dataStore', 'network']);
  assert.deepEqual(boot.configSyncSources, ['network', 'dataStore']);
  assert.equal(boot.adaptiveSyncOrder, true);
  const follower = normalizeOptions('secret-x', { dataStore: new MemoryDataStore({ pollForUpdates: true }) });
  assert.deepEqual(follower.configSyncSources, ['dataStore', 'network']);
  assert.deepEqual(normalizeOptions('s', { environment: 'staging' }).environment, { tier: 'staging' });
  assert.ok(Object.isFrozen(up));
});
