/**
 * One SDK instance of the fleet test, run as a child process (fork with IPC): the Statsig facade with
 * the network source pointed at a forward proxy and a RedisDataStore (reader) shared with the proxies.
 * Reports every lcut it starts evaluating with ({type:'lcut', lcut, at}) — `lcut` read back from an
 * actual evaluation's details, `at` a wall-clock ms with sub-ms resolution — and answers {cmd:'eval'}.
 *
 * With FL_GRPC_ADDR (host:port) it streams from that proxy over gRPC instead (proxyConfigs grpc_websocket,
 * no data store): the streaming mode of the propagation benchmark.
 *
 * env: FL_PROXY_URL, FL_REDIS_URL, FL_REDIS_PREFIX, FL_NAME, FL_GRPC_ADDR
 */
import { performance } from 'node:perf_hooks';
import { Statsig } from '../../../server/statsig';
import { RedisDataStore } from '../../../server/fleet/redis-data-store';
import { FIXTURE_SECRET } from './fake-upstream';

const send = (m: unknown) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();
const user = { userID: 'fleet-user-1', email: 'a@example.com' };

const store = new RedisDataStore({
  url: process.env.FL_REDIS_URL,
  keyPrefix: process.env.FL_REDIS_PREFIX ?? '',
  role: 'reader',
  safetyPollMs: 1000,
});

let statsig: Statsig;
let lastReported = 0;

function evaluate() {
  const g = statsig.getFeatureGateWithExposureLoggingDisabled(user, 'public_gate');
  return { lcut: g.details.lcut, value: g.value, reason: g.details.reason };
}

function report(): void {
  const at = now();
  const r = evaluate();
  if (r.lcut > lastReported) {
    lastReported = r.lcut;
    send({ type: 'lcut', lcut: r.lcut, at, value: r.value });
  }
}

async function main(): Promise<void> {
  const proxy = process.env.FL_PROXY_URL!;
  const grpc = process.env.FL_GRPC_ADDR;
  statsig = new Statsig(FIXTURE_SECRET, {
    ...(grpc
      ? { proxyConfigs: { download_config_specs: { protocol: 'grpc_websocket' as const, proxyAddress: grpc, retryBackoffBaseMs: 200, retryBackoffMultiplier: 2 } } }
      : { apiForDownloadConfigSpecs: `${proxy}/v1`, dataStore: store }),
    api: `${proxy}/v1`,
    rulesetsSyncIntervalMs: 5000,
    idListsSyncIntervalMs: 60_000,
    disableAllLogging: true,
    initTimeoutMs: 10_000,
    onRulesUpdated: () => report(),
    logger: { warn() {}, error() {} },
  });
  await statsig.initialize();
  report();
  send({ type: 'ready', ...evaluate() });
  process.on('message', (m: { cmd: string; id?: number }) => {
    if (m.cmd === 'eval') {
      send({ type: 'eval', id: m.id, ...evaluate(), store: store.health().connected, degraded: store.health().degraded });
    } else if (m.cmd === 'stop') {
      void statsig.shutdown(1000).finally(() => process.exit(0));
    }
  });
}

main().catch((e: unknown) => {
  send({ type: 'error', message: (e as Error).stack ?? String(e) });
  process.exit(1);
});
