/**
 * download_config_specs over HTTP in Statsig's URL scheme:
 * `<apiForDownloadConfigSpecs>/download_config_specs/<serverSecret>.json[?sinceTime=<lcut>]`.
 * A forward proxy is just another base URL.
 */
import { SourceUnavailableError } from '../../lib/errors';
import type { HttpClient } from '../net/http-client';
import { HttpError } from '../net/http-error';
import type { SpecPayload, SpecSource } from './spec-source';

export class HttpSource implements SpecSource {
  readonly name = 'network' as const;
  readonly #client: HttpClient;
  readonly #base: string;
  readonly #fallbackBase: string | null;
  readonly #serverSecret: string;

  /** `fallbackBase`: asked when `baseUrl` fails (the `fallbackToStatsigApi` option). */
  constructor(client: HttpClient, baseUrl: string, serverSecret: string, fallbackBase: string | null = null) {
    this.#client = client;
    this.#base = baseUrl;
    this.#fallbackBase = fallbackBase;
    this.#serverSecret = serverSecret;
  }

  url(sinceTime: number, base = this.#base): string {
    const u = `${base}/download_config_specs/${encodeURIComponent(this.#serverSecret)}.json`;
    return sinceTime > 0 ? `${u}?sinceTime=${sinceTime}` : u;
  }

  async load(sinceTime: number, signal: AbortSignal): Promise<SpecPayload> {
    try {
      const fallbackUrl = this.#fallbackBase === null ? undefined : this.url(sinceTime, this.#fallbackBase);
      const res = await this.#client.send({ method: 'GET', url: this.url(sinceTime), signal, ...(fallbackUrl ? { fallbackUrl } : {}) });
      return { origin: 'network', text: res.body };
    } catch (err) {
      const status = err instanceof HttpError ? err.status : null;
      const hint = status === 401 || status === 403 ? ' (is the server secret right?)' : '';
      throw new SourceUnavailableError(`firstlight: download_config_specs: ${(err as Error).message}${hint}`, { cause: err });
    }
  }
}
