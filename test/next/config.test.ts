// The Next.js integration's environment: one zod-validated read, InvalidOptionError naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError } from '../../lib/errors';
import { readNextConfig, statsigSetup } from '../../server/next/config';

function rejects(env: Record<string, string>, variable: string, problem: RegExp): InvalidOptionError {
  let caught: unknown;
  try {
    readNextConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof InvalidOptionError, `expected InvalidOptionError for ${variable}, got ${String(caught)}`);
  const err = caught as InvalidOptionError;
  assert.equal(err.code, 'FL_ERR_INVALID_OPTION');
  assert.match(err.message, new RegExp(`\\b${variable}\\b`));
  assert.match(err.message, problem);
  return err;
}

/** The two settings an app must give (the package has no demo defaults). */
const REQUIRED = { FIRSTLIGHT_CLIENT_KEY: 'client-abc123', FIRSTLIGHT_SPECS_FILE: 'specs/dcs.json' } as const;

test('no environment: InvalidOptionError naming the client key and the specs source', () => {
  const err = rejects({}, 'FIRSTLIGHT_CLIENT_KEY', /^firstlight: missing configuration: FIRSTLIGHT_CLIENT_KEY is not set/);
  assert.match(err.message, /no specs source: set STATSIG_SERVER_SECRET \(specs from Statsig\) or FIRSTLIGHT_SPECS_FILE/);
  rejects({ FIRSTLIGHT_CLIENT_KEY: 'client-abc123' }, 'FIRSTLIGHT_SPECS_FILE', /no specs source/);
  rejects({ FIRSTLIGHT_SPECS_FILE: 'specs/dcs.json' }, 'FIRSTLIGHT_CLIENT_KEY', /is not set/);
  // with a Statsig account the network is the source
  assert.equal(readNextConfig({ FIRSTLIGHT_CLIENT_KEY: 'client-abc123', STATSIG_SERVER_SECRET: 'secret-live' }).specsFile, null);
});

test('the required settings only: the specs file, no event log, no spool, nothing written to disk', () => {
  const cfg = readNextConfig(REQUIRED);
  assert.equal(cfg.clientKey, 'client-abc123');
  assert.deepEqual(cfg.acceptedClientKeys, ['client-abc123']);
  assert.equal(cfg.serverSecret, '');
  assert.equal(cfg.statsigAccount, false);
  assert.equal(cfg.trustedIpHeader, null);
  assert.equal(cfg.bootstrapToken, null);
  assert.equal(cfg.userEcho, 'minimal');
  assert.equal(cfg.bootstrapFormat, 'v1');
  assert.equal(cfg.environment, null);
  assert.equal(cfg.specsFile, 'specs/dcs.json');
  assert.equal(cfg.eventLogFile, null);
  assert.equal(cfg.eventSpoolDir, null);
  assert.equal(cfg.eventDestination, null);
  assert.equal(cfg.flushIntervalMs, null);
  assert.equal(cfg.failOpen, false);
  const { secret, options } = statsigSetup(cfg);
  assert.equal(secret, '');
  assert.deepEqual(options, { localMode: true, specsFile: 'specs/dcs.json', eventSinks: [] });
  assert.equal(cfg.shutdownTimeoutMs, 8_000);
  const logged = readNextConfig({ ...REQUIRED, FIRSTLIGHT_EVENT_LOG: 'log/events.jsonl', FIRSTLIGHT_EVENT_SPOOL_DIR: 'log/spool' });
  assert.equal(logged.eventDestination, 'file');
  assert.deepEqual(statsigSetup(logged).options, {
    localMode: true,
    specsFile: 'specs/dcs.json',
    eventSinks: ['file'],
    eventLogFile: 'log/events.jsonl',
    eventSpoolDir: 'log/spool',
  });
});

test('every variable set to a valid value', () => {
  const cfg = readNextConfig({
    FIRSTLIGHT_CLIENT_KEY: ' client-abc123 ',
    FIRSTLIGHT_CLIENT_KEYS: 'client-other, client-abc123,,client-third',
    STATSIG_SERVER_SECRET: 'secret-live-key',
    FIRSTLIGHT_SERVER_SECRET: 'secret-local',
    FIRSTLIGHT_TRUSTED_IP_HEADER: 'X-Forwarded-For',
    FIRSTLIGHT_BOOTSTRAP_TOKEN: 'a-token-of-enough-length',
    FIRSTLIGHT_USER_ECHO: 'full',
    FIRSTLIGHT_BOOTSTRAP_FORMAT: 'init-v2',
    FIRSTLIGHT_ENVIRONMENT: 'staging',
    FIRSTLIGHT_SPECS_FILE: 'specs/dcs.json',
    FIRSTLIGHT_EVENT_LOG: '/tmp/events.jsonl',
    FIRSTLIGHT_FLUSH_INTERVAL_MS: '250',
    FIRSTLIGHT_FAIL_OPEN: 'true',
  });
  assert.equal(cfg.clientKey, 'client-abc123');
  assert.deepEqual(cfg.acceptedClientKeys, ['client-abc123', 'client-other', 'client-third']);
  // the Statsig account's secret wins over the local one
  assert.equal(cfg.serverSecret, 'secret-live-key');
  assert.equal(cfg.statsigAccount, true);
  assert.equal(cfg.trustedIpHeader, 'x-forwarded-for');
  assert.equal(cfg.bootstrapToken, 'a-token-of-enough-length');
  assert.equal(cfg.userEcho, 'full');
  assert.equal(cfg.bootstrapFormat, 'init-v2');
  assert.equal(cfg.environment, 'staging');
  assert.equal(cfg.flushIntervalMs, 250);
  assert.equal(cfg.failOpen, true);
  const { secret, options } = statsigSetup(cfg);
  assert.equal(secret, 'secret-live-key');
  assert.equal(cfg.eventDestination, 'statsig');
  assert.deepEqual(options, { environment: 'staging', eventLogFile: '/tmp/events.jsonl', flushIntervalMs: 250, specsFile: 'specs/dcs.json' });
});

test('empty and whitespace-only values mean "not set"', () => {
  const cfg = readNextConfig({ ...REQUIRED, FIRSTLIGHT_USER_ECHO: '', FIRSTLIGHT_BOOTSTRAP_TOKEN: '   ', FIRSTLIGHT_TRUSTED_IP_HEADER: ' ', FIRSTLIGHT_BOOTSTRAP_FORMAT: '  ' });
  assert.equal(cfg.userEcho, 'minimal');
  assert.equal(cfg.bootstrapFormat, 'v1');
  assert.equal(cfg.bootstrapToken, null);
  assert.equal(cfg.trustedIpHeader, null);
});

test('FIRSTLIGHT_SERVER_SECRET without an account: local mode with that secret', () => {
  const cfg = readNextConfig({ FIRSTLIGHT_CLIENT_KEY: 'client-abc123', FIRSTLIGHT_SERVER_SECRET: 'secret-test-key', FIRSTLIGHT_SPECS_FILE: 'test/fixtures/example-dcs.json' });
  assert.equal(cfg.statsigAccount, false);
  const { secret, options } = statsigSetup(cfg);
  assert.equal(secret, 'secret-test-key');
  assert.deepEqual(options, { localMode: true, specsFile: 'test/fixtures/example-dcs.json', eventSinks: [] });
});

const BAD: readonly [variable: string, value: string, problem: RegExp][] = [
  ['FIRSTLIGHT_CLIENT_KEY', 'not-a-client-key', /must be a Statsig client key/],
  ['FIRSTLIGHT_CLIENT_KEYS', 'client-ok,oops', /must be a Statsig client key/],
  ['STATSIG_SERVER_SECRET', 'client-wrong-kind-of-key', /must be a Statsig server secret/],
  ['FIRSTLIGHT_SERVER_SECRET', 'secret with spaces', /must not contain spaces/],
  ['FIRSTLIGHT_TRUSTED_IP_HEADER', 'x forwarded for', /must be a valid HTTP header name/],
  ['FIRSTLIGHT_TRUSTED_IP_HEADER', 'x-real-ip:', /must be a valid HTTP header name/],
  ['FIRSTLIGHT_BOOTSTRAP_TOKEN', 'short', /at least 16 characters/],
  ['FIRSTLIGHT_USER_ECHO', 'verbose', /must be "full" or "minimal"/],
  ['FIRSTLIGHT_USER_ECHO', 'FULL', /must be "full" or "minimal"/],
  ['FIRSTLIGHT_BOOTSTRAP_FORMAT', 'v2', /must be "v1" or "init-v2"/],
  ['FIRSTLIGHT_BOOTSTRAP_FORMAT', 'init_v2', /must be "v1" or "init-v2"/],
  ['FIRSTLIGHT_BOOTSTRAP_FORMAT', 'INIT-V2', /must be "v1" or "init-v2"/],
  ['FIRSTLIGHT_BOOTSTRAP_FORMAT', 'v1,init-v2', /must be "v1" or "init-v2"/],
  ['FIRSTLIGHT_ENVIRONMENT', 'prod/eu', /environment tier name/],
  ['FIRSTLIGHT_SPECS_FILE', 'a\0b', /NUL/],
  ['FIRSTLIGHT_EVENT_LOG', 'x'.repeat(5000), /at most 4096/],
  ['FIRSTLIGHT_FLUSH_INTERVAL_MS', '0', /positive integer/],
  ['FIRSTLIGHT_FLUSH_INTERVAL_MS', '-5', /positive integer/],
  ['FIRSTLIGHT_FLUSH_INTERVAL_MS', '1.5', /positive integer/],
  ['FIRSTLIGHT_FLUSH_INTERVAL_MS', 'soon', /positive integer/],
  ['FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS', '-1', /non-negative integer/],
  ['FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS', '99999999', /at most/],
  ['FIRSTLIGHT_EVENT_SPOOL_DIR', 'a\0b', /NUL/],
  ['FIRSTLIGHT_FAIL_OPEN', 'yes', /must be "true" or "false"/],
];

for (const [variable, value, problem] of BAD) {
  test(`${variable}=${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value)} is rejected`, () => {
    rejects({ [variable]: value }, variable, problem);
  });
}

test('a non-secret value is quoted in the message, so the operator sees what was read', () => {
  const err = rejects({ FIRSTLIGHT_USER_ECHO: 'verbose' }, 'FIRSTLIGHT_USER_ECHO', /\(got "verbose"\)/);
  assert.match(err.message, /^firstlight: invalid environment: /);
});

test('FIRSTLIGHT_BOOTSTRAP_FORMAT: each allowed value read as given (padding trimmed), a bad one named with the allowed values and what was read', () => {
  assert.equal(readNextConfig({ ...REQUIRED, FIRSTLIGHT_BOOTSTRAP_FORMAT: 'v1' }).bootstrapFormat, 'v1');
  assert.equal(readNextConfig({ ...REQUIRED, FIRSTLIGHT_BOOTSTRAP_FORMAT: ' init-v2 ' }).bootstrapFormat, 'init-v2');
  const err = rejects({ ...REQUIRED, FIRSTLIGHT_BOOTSTRAP_FORMAT: 'compact' }, 'FIRSTLIGHT_BOOTSTRAP_FORMAT', /must be "v1" or "init-v2" \(got "compact"\)/);
  assert.match(err.message, /^firstlight: invalid environment: FIRSTLIGHT_BOOTSTRAP_FORMAT /);
});

test('secret values are never echoed', () => {
  const cases: Record<string, string> = {
    STATSIG_SERVER_SECRET: 'client-leaked-value-0001',
    FIRSTLIGHT_SERVER_SECRET: 'leaked value 0002',
    FIRSTLIGHT_BOOTSTRAP_TOKEN: 'leaked0003',
    // a server secret pasted as the client key would be rendered into every page
    FIRSTLIGHT_CLIENT_KEY: 'secret-leaked-value-0004',
    FIRSTLIGHT_CLIENT_KEYS: 'client-ok,secret-leaked-value-0005',
  };
  for (const [variable, value] of Object.entries(cases)) {
    const err = rejects({ [variable]: value }, variable, /./);
    assert.ok(!err.message.includes('leaked'), `${variable}: ${err.message}`);
    assert.ok(!String(err.stack).includes('leaked'), `${variable}: stack`);
  }
  const key = rejects({ FIRSTLIGHT_CLIENT_KEY: 'secret-leaked-value-0004' }, 'FIRSTLIGHT_CLIENT_KEY', /server secret/);
  assert.ok(!key.message.includes('leaked'));
});

test('several bad variables are reported together, each once', () => {
  const err = rejects({ FIRSTLIGHT_USER_ECHO: 'loud', FIRSTLIGHT_BOOTSTRAP_TOKEN: 'short', FIRSTLIGHT_FLUSH_INTERVAL_MS: 'x' }, 'FIRSTLIGHT_USER_ECHO', /./);
  assert.match(err.message, /\bFIRSTLIGHT_BOOTSTRAP_TOKEN\b/);
  assert.match(err.message, /\bFIRSTLIGHT_FLUSH_INTERVAL_MS\b/);
  assert.equal(err.message.split('FIRSTLIGHT_FLUSH_INTERVAL_MS').length - 1, 1);
});

test('unrelated variables are ignored', () => {
  assert.doesNotThrow(() => readNextConfig({ ...REQUIRED, PATH: '/usr/bin', NODE_ENV: 'production', FIRSTLIGHT_BENCH_ROUTES: '1', PORT: 'http' }));
});
