/**
 * ID lists through the proxy: `POST /v1/get_id_lists` answers upstream's manifest (refreshed at most
 * every idListsIntervalMs per key) with each list's `url` rewritten to this proxy; the list files are
 * fetched from upstream incrementally (Range from the bytes already held) and served with Range
 * support. Which lists are kept, when a list starts over and what a ranged read answered are the SDK's
 * own steps (../idlists/id-list-state), so the proxy relays what the SDK would read. File URLs carry
 * an unguessable token derived from the SDK key (its SHA-256), so a file is only reachable through a
 * manifest fetched with that key.
 */
import { createHash } from 'node:crypto';
import { judgeListRead, readManifest, reconcile, type ListCopy, type ManifestEntry } from '../idlists/id-list-state';
import type { Upstream } from './upstream';

/** The bytes held of one list file; `readBytes` is data.length. */
interface ListFile extends ListCopy {
  readonly sdkKey: string;
  readonly name: string;
  /** the largest size a manifest announced for this file */
  size: number;
  data: Buffer;
  inflight: Promise<void> | null;
}

interface KeyLists {
  fetchedAt: number;
  lists: Map<string, ListFile>;
  inflight: Promise<void> | null;
  failure: { status: number; message: string } | null;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const json = (status: number, o: unknown): HttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(o),
});

export class IdListCache {
  private readonly byKey = new Map<string, KeyLists>();
  /** every key's list files by `<token>/<fileID>`, the address in the rewritten manifest */
  private readonly files = new Map<string, ListFile>();

  constructor(
    private readonly upstream: Upstream,
    private readonly intervalMs: number,
    private readonly log: (level: 'debug' | 'info' | 'warn', msg: string) => void,
  ) {}

  static token(sdkKey: string): string {
    return createHash('sha256').update(`id-lists:${sdkKey}`).digest('base64url');
  }

  private async refresh(sdkKey: string, k: KeyLists): Promise<void> {
    try {
      const res = await this.upstream.idListsManifest(sdkKey);
      if (res.status === 401 || res.status === 403) {
        k.failure = { status: res.status, message: `upstream answered ${res.status}` };
        k.lists.clear();
        this.index(sdkKey, k.lists);
        return;
      }
      if (res.status < 200 || res.status >= 300) throw new Error(`upstream answered ${res.status}`);
      // the SDK's reader: malformed entries are skipped; a manifest that is not an object (null, [],
      // a string) is a bad answer, not "no lists", so the lists in force stay
      const manifest = readManifest(JSON.parse(res.body.toString('utf8')));
      if (manifest === null) throw new Error('get_id_lists: the manifest is not a JSON object; the lists in force stay');
      // the files are read when a client asks for them, so the reads reconcile() names are not made here
      reconcile(
        k.lists,
        manifest,
        (m) => ({ sdkKey, name: m.name, url: m.url, fileID: m.fileID, creationTime: m.creationTime, readBytes: 0, size: 0, data: Buffer.alloc(0), inflight: null }),
        (f, m) => (f.size = Math.max(f.size, m.size)),
      );
      this.index(sdkKey, k.lists);
      k.fetchedAt = Date.now();
      k.failure = null;
    } catch (e) {
      k.failure = { status: 502, message: (e as Error).message };
      this.log('warn', `get_id_lists: ${(e as Error).message}`);
    }
  }

  /** The file index holds exactly the key's lists in force. */
  private index(sdkKey: string, lists: Map<string, ListFile>): void {
    const token = IdListCache.token(sdkKey);
    const live = new Set<ListFile>(lists.values());
    for (const [id, f] of this.files) if (f.sdkKey === sdkKey && !live.has(f)) this.files.delete(id);
    for (const f of live) this.files.set(`${token}/${f.fileID}`, f);
  }

  async manifest(sdkKey: string, publicBase: string): Promise<HttpAnswer> {
    let k = this.byKey.get(sdkKey);
    if (!k) {
      k = { fetchedAt: 0, lists: new Map(), inflight: null, failure: null };
      this.byKey.set(sdkKey, k);
    }
    if (Date.now() - k.fetchedAt >= this.intervalMs) {
      k.inflight ??= this.refresh(sdkKey, k).finally(() => {
        k.inflight = null;
      });
      await k.inflight;
    }
    if (k.failure && (k.failure.status === 401 || k.failure.status === 403)) {
      this.byKey.delete(sdkKey);
      return json(k.failure.status, { error: k.failure.message });
    }
    if (k.fetchedAt === 0) {
      // a key that has never had a manifest keeps no state: made-up keys cannot grow this map
      this.byKey.delete(sdkKey);
      return json(502, { error: `upstream unavailable: ${k.failure?.message ?? 'no manifest'}` });
    }
    const token = IdListCache.token(sdkKey);
    const out: Record<string, ManifestEntry> = {};
    for (const l of k.lists.values()) {
      out[l.name] = { name: l.name, size: l.size, url: `${publicBase}/v1/id_list_file/${token}/${encodeURIComponent(l.fileID)}`, creationTime: l.creationTime, fileID: l.fileID };
    }
    return json(200, out);
  }

  private async fill(f: ListFile): Promise<void> {
    if (f.data.length >= f.size) return;
    f.inflight ??= (async () => {
      const from = f.data.length;
      const res = await this.upstream.idListFile(f.url, f.sdkKey, from);
      // an upstream failure says nothing of the bytes held: they stay, and the read is tried again
      if (res.status !== 200 && res.status !== 206) throw new Error(`upstream answered ${res.status}`);
      const range = res.headers['content-range'];
      const read = judgeListRead(from, res.status, typeof range === 'string' ? range : undefined, String.fromCharCode(res.body[0] ?? 0));
      if (read.kind === 'bad') {
        f.data = Buffer.alloc(0);
        f.readBytes = 0;
        throw new Error(`ID list "${f.name}": ${read.reason}; the file is read again from the start`);
      }
      f.data = read.kind === 'restart' ? res.body : Buffer.concat([f.data, res.body]);
      f.readBytes = f.data.length;
    })().finally(() => {
      f.inflight = null;
    });
    await f.inflight;
  }

  async file(token: string, fileID: string, range: string | undefined): Promise<HttpAnswer> {
    const f = this.files.get(`${token}/${fileID}`);
    if (!f) return json(404, { error: 'unknown id list file' });
    try {
      await this.fill(f);
    } catch (e) {
      if (f.data.length === 0) return json(502, { error: `upstream unavailable: ${(e as Error).message}` });
    }
    const total = f.data.length;
    const headers: Record<string, string> = { 'content-type': 'text/plain', 'accept-ranges': 'bytes' };
    if (!range) return { status: 200, headers, body: f.data };
    const m = /^bytes=(\d+)-(\d*)$/.exec(range.trim());
    if (!m) return { status: 416, headers: { ...headers, 'content-range': `bytes */${total}` }, body: '' };
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), total - 1) : total - 1;
    if (start >= total || end < start) {
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${total}` }, body: '' };
    }
    return {
      status: 206,
      headers: { ...headers, 'content-range': `bytes ${start}-${end}/${total}` },
      body: f.data.subarray(start, end + 1),
    };
  }
}
