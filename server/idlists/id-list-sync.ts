/**
 * ID-list sync over HTTP: POST get_id_lists for the manifest, then read each changed list file from the
 * byte already read (`Range: bytes=<n>-`). The resulting lists are handed to the spec store, which
 * applies them to the specs in force.
 */
import type { HttpClient } from '../net/http-client';
import { jittered } from '../net/backoff';
import type { Logger } from '../logger';
import { applyListBody, judgeListRead, newIdListEntry, readManifest, reconcile, snapshotLists, type IdListEntry } from './id-list-state';

export interface IdListSyncHealth {
  readonly lists: number;
  readonly ids: number;
  readonly syncs: number;
  readonly failures: number;
  readonly badRanges: number;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  readonly lastSyncAt: number;
}

export interface IdListSyncConfig {
  readonly client: HttpClient;
  readonly url: string;
  /** asked when `url` fails (the `fallbackToStatsigApi` option) */
  readonly fallbackUrl?: string | null;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly onLists: (lists: ReadonlyMap<string, ReadonlySet<string>>) => void;
}

export class IdListSync {
  readonly #c: IdListSyncConfig;
  readonly #lists = new Map<string, IdListEntry>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | null = null;
  #stopped = false;
  #syncs = 0;
  #failures = 0;
  #badRanges = 0;
  #lastError: IdListSyncHealth['lastError'] = null;
  #lastSyncAt = 0;

  constructor(config: IdListSyncConfig) {
    this.#c = config;
  }

  start(): void {
    if (this.#stopped) return;
    const tick = () => {
      // a sync in flight when stop() ran must not schedule another
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void this.syncNow().finally(tick), jittered(this.#c.intervalMs));
      this.#timer.unref();
    };
    tick();
  }

  /** One sync now (joins a running one). Resolves true when the manifest and every read succeeded. */
  syncNow(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    this.#running ??= this.#sync().finally(() => (this.#running = null));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running?.catch(() => {});
  }

  health(): IdListSyncHealth {
    let ids = 0;
    for (const e of this.#lists.values()) ids += e.ids.size;
    return {
      lists: this.#lists.size,
      ids,
      syncs: this.#syncs,
      failures: this.#failures,
      badRanges: this.#badRanges,
      lastError: this.#lastError,
      lastSyncAt: this.#lastSyncAt,
    };
  }

  async #sync(): Promise<boolean> {
    this.#syncs++;
    const signal = this.#abort.signal;
    let ok = true;
    try {
      const fallbackUrl = this.#c.fallbackUrl ?? undefined;
      const res = await this.#c.client.send({ method: 'POST', url: this.#c.url, body: '{}', signal, ...(fallbackUrl ? { fallbackUrl } : {}) });
      const manifest = readManifest(JSON.parse(res.body));
      // a manifest that is not an object (null, [], a string) is a bad answer, not "no lists"
      if (manifest === null) throw new Error('get_id_lists: the manifest is not a JSON object; the lists in force stay');
      const reads = reconcile(this.#lists, manifest, newIdListEntry);
      for (const read of reads) {
        try {
          const file = await this.#c.client.send({
            method: 'GET',
            url: read.url,
            headers: { range: `bytes=${read.from}-` },
            // list files live on a CDN: the server secret is not theirs to see
            sdkHeaders: false,
            signal,
          });
          const length = Number(file.headers['content-length']);
          if (!Number.isFinite(length)) throw new Error(`ID list "${read.name}": the response has no content-length`);
          const range = file.headers['content-range'];
          const judged = judgeListRead(read.from, file.status, typeof range === 'string' ? range : undefined, file.body.charAt(0));
          const bad = applyListBody(this.#lists, read.name, judged, file.body, length);
          if (bad !== null) {
            this.#badRanges++;
            throw new Error(`ID list "${read.name}": ${bad}; the list is read again from the start`);
          }
        } catch (err) {
          ok = false;
          this.#recordError(err);
        }
      }
    } catch (err) {
      ok = false;
      this.#recordError(err);
    }
    if (ok) this.#lastSyncAt = Date.now();
    else this.#failures++;
    this.#c.onLists(snapshotLists(this.#lists));
    return ok;
  }

  #recordError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.#lastError = { message, at: Date.now() };
    if (!this.#stopped) this.#c.logger.warn(`ID list sync: ${message}`);
  }
}
