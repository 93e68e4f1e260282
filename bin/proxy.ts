#!/usr/bin/env -S npx tsx
/**
 * `npm run proxy -- [options]` (also `firstlight proxy [options]`): the forward proxy for a fleet of
 * Statsig-compatible server SDKs. Stops gracefully on SIGINT/SIGTERM (releases its writer leases so
 * another proxy takes over at once, and sends queued events).
 */
import { pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../lib/errors';
import { parseProxyArgs, PROXY_USAGE, startProxy } from '../server/proxy';

/** Entry point shared with `firstlight proxy`. Resolves when the proxy has stopped; returns an exit code. */
export async function runProxyCli(argv: readonly string[]): Promise<number> {
  let opts;
  try {
    opts = parseProxyArgs(argv);
  } catch (e) {
    if (e instanceof InvalidOptionError) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  if (opts === 'help') {
    process.stdout.write(PROXY_USAGE);
    return 0;
  }
  const proxy = await startProxy(opts);
  // the last line of defence: a bug that lets a rejection or an exception escape must not take the
  // proxy (and every queued event of every key) down; it is logged, counted in the logs, and serving goes on
  process.on('unhandledRejection', (e) => console.warn(`[firstlight proxy] unhandled rejection (kept serving): ${(e as Error)?.stack ?? String(e)}`));
  process.on('uncaughtException', (e) => console.warn(`[firstlight proxy] uncaught exception (kept serving): ${e.stack ?? String(e)}`));
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      console.log(`[firstlight proxy] ${signal}: stopping`);
      proxy.stop(5000).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runProxyCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`[firstlight proxy] failed to start: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
