/**
 * @statsig/js-on-device-eval-client as a bootstrap generator: Statsig's own pure-TS
 * getClientInitializeResponse, on a client fed the DCS through dataAdapter.setData and
 * initializeSync, with every network request prevented and logging off.
 */
import { LogLevel } from '@statsig/client-core';
import { StatsigOnDeviceEvalClient } from '@statsig/js-on-device-eval-client';

export class OnDeviceEvalReference {
  private constructor(private readonly client: StatsigOnDeviceEvalClient) {}

  static create(dcsJson: string, label: string): OnDeviceEvalReference {
    const client = new StatsigOnDeviceEvalClient(`client-bench-${label}`, {
      networkConfig: { preventAllNetworkTraffic: true },
      loggingEnabled: 'disabled',
      disableStorage: true,
      logLevel: LogLevel.None,
    });
    client.dataAdapter.setData(dcsJson);
    const init = client.initializeSync();
    if (client.loadingStatus !== 'Ready') throw new Error(`js-on-device-eval-client did not initialize: ${String(init.error ?? init.source)}`);
    return new OnDeviceEvalReference(client);
  }

  /** The bootstrap as a string (its result is an object; a server sends JSON). */
  gcir(user: object): string {
    return JSON.stringify(this.client.getClientInitializeResponse(user as never, { hash: 'djb2' }));
  }

  shutdown(): void {
    void this.client.shutdown();
  }
}
