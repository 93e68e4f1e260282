/**
 * A fake Statsig API/CDN for fleet tests and benchmarks: serves the DCS fixture (per SDK key, with that
 * key's `hashed_sdk_key_used`), bumps `time` on demand, counts requests per caller session, serves ID
 * lists with Range and records log_event batches. Faults: 'down' (sockets destroyed), 'error' (500),
 * per-key 401/403, a scripted list of log_event statuses, and 'misroute' (another key's payload).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { toDcsV2 } from '../../support/dcs-v2';

export const FIXTURE_SECRET = 'secret-test-key';
export const FIXTURE_PATH = new URL('../../fixtures/example-dcs.json', import.meta.url);

export function djb2(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return String(h >>> 0);
}

export type UpstreamMode = 'ok' | 'down' | 'error';

export class FakeUpstream {
  readonly base: Record<string, unknown>;
  time: number;
  /** wall-clock (performance.timeOrigin-based) ms when the current `time` started being served */
  changedAt = 0;
  mode: UpstreamMode = 'ok';
  /** SDK keys and how upstream treats them (absent: 401) */
  readonly keys = new Map<string, 'ok' | 401 | 403 | 'misroute'>([[FIXTURE_SECRET, 'ok']]);
  readonly dcsBySession = new Map<string, number>();
  /** DCS requests per SDK key (both formats) */
  readonly dcsByKey = new Map<string, number>();
  dcsRequests = 0;
  fullPayloads = 0;
  readonly idLists = new Map<string, { fileID: string; content: string; creationTime: number }>();
  idListManifestRequests = 0;
  /** when set, get_id_lists answers this body instead of the manifest (e.g. 'null', '[]') */
  idListManifestOverride: string | null = null;
  readonly idListRanges: string[] = [];
  logEventStatuses: number[] = [];
  readonly logEventBatches: { key: string; count: number; events: unknown[] }[] = [];
  logEventAttempts = 0;
  /** while true, log_event requests get no answer (upstream hanging); they are not recorded */
  logEventHang = false;
  /** while set, log_event answers wait for it (a slow upstream that does answer); then they are handled as usual */
  logEventGate: Promise<void> | null = null;
  /** keys whose payload has no `time` (statsig-node loads one); with no time to compare, sinceTime is ignored */
  readonly omitTime = new Set<string>();
  /** DCS requests per format */
  readonly dcsByVersion = { v1: 0, v2: 0 };
  private readonly texts = new Map<string, string>();
  private server: Server | null = null;
  url = '';

  constructor(fixture: URL = FIXTURE_PATH) {
    this.base = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, unknown>;
    this.time = this.base.time as number;
    this.changedAt = performance.timeOrigin + performance.now();
  }

  dcsRequestsFor(key: string): number {
    return this.dcsByKey.get(key) ?? 0;
  }

  /** A new spec version: `time` + step. Returns the new lcut. */
  bump(step = 1000): number {
    this.time += step;
    this.texts.clear();
    this.changedAt = performance.timeOrigin + performance.now();
    return this.time;
  }

  payloadFor(key: string, version: 'v1' | 'v2' = 'v1'): string {
    const id = `${version}:${key}`;
    let t = this.texts.get(id);
    if (!t) {
      const base = version === 'v1' ? this.base : toDcsV2(this.base);
      const { time: _time, ...untimed } = { ...base, time: this.time };
      t = JSON.stringify(this.omitTime.has(key) ? { ...untimed, hashed_sdk_key_used: djb2(key) } : { ...base, time: this.time, hashed_sdk_key_used: djb2(key) });
      this.texts.set(id, t);
    }
    return t;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://upstream');
    const apiKey = String(req.headers['statsig-api-key'] ?? '');
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const dcsVersion = url.pathname.startsWith('/v1/download_config_specs/') ? 'v1' : url.pathname.startsWith('/v2/download_config_specs/') ? 'v2' : null;
    if (dcsVersion) {
      this.dcsRequests++;
      this.dcsByVersion[dcsVersion]++;
      const session = String(req.headers['statsig-server-session-id'] ?? 'none');
      this.dcsBySession.set(session, (this.dcsBySession.get(session) ?? 0) + 1);
      if (this.mode === 'error') return send(500, '{"error":"boom"}');
      const key = decodeURIComponent(url.pathname.slice(`/${dcsVersion}/download_config_specs/`.length).replace(/\.json$/, ''));
      this.dcsByKey.set(key, (this.dcsByKey.get(key) ?? 0) + 1);
      const k = this.keys.get(key);
      if (k === undefined || k === 401) return send(401, '{"error":"unauthorized"}');
      if (k === 403) return send(403, '{"error":"forbidden"}');
      const since = Number(url.searchParams.get('sinceTime') ?? 0);
      if (since >= this.time && !this.omitTime.has(key)) return send(200, '{"has_updates":false}');
      this.fullPayloads++;
      return send(200, k === 'misroute' ? this.payloadFor(FIXTURE_SECRET, dcsVersion) : this.payloadFor(key, dcsVersion));
    }
    if (url.pathname === '/v1/get_id_lists') {
      this.idListManifestRequests++;
      if (this.mode === 'error') return send(500, '{}');
      if (this.keys.get(apiKey) !== 'ok') return send(401, '{}');
      if (this.idListManifestOverride !== null) return send(200, this.idListManifestOverride);
      const out: Record<string, unknown> = {};
      for (const [name, l] of this.idLists) {
        out[name] = {
          name,
          size: Buffer.byteLength(l.content),
          url: `${this.url}/id_list_file/${encodeURIComponent(name)}/${l.fileID}`,
          creationTime: l.creationTime,
          fileID: l.fileID,
        };
      }
      return send(200, JSON.stringify(out));
    }
    if (url.pathname.startsWith('/v1/id_list_file/')) {
      const [name] = url.pathname.slice('/v1/id_list_file/'.length).split('/');
      const l = this.idLists.get(decodeURIComponent(name ?? ''));
      if (!l) return send(404, '{}');
      const buf = Buffer.from(l.content);
      const range = String(req.headers.range ?? '');
      this.idListRanges.push(range);
      const m = /^bytes=(\d+)-$/.exec(range);
      if (!m) return send(200, buf, { 'content-type': 'text/plain' });
      const start = Number(m[1]);
      const part = buf.subarray(start);
      return send(206, part, { 'content-type': 'text/plain', 'content-range': `bytes ${start}-${buf.length - 1}/${buf.length}` });
    }
    if (url.pathname === '/v1/log_event') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        this.logEventAttempts++;
        if (this.logEventGate) await this.logEventGate;
        if (this.logEventHang) return;
        const status = this.logEventStatuses.shift() ?? 202;
        if (status >= 200 && status < 300) {
          let raw = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
          const body = JSON.parse(raw.toString('utf8')) as { events: unknown[] };
          this.logEventBatches.push({ key: apiKey, count: body.events.length, events: body.events });
        }
        send(status, '{"success":true}');
      });
      return;
    }
    send(404, '{}');
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}
