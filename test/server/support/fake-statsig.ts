/**
 * A local stand-in for Statsig's CDN and API over real HTTP on loopback: download_config_specs,
 * get_id_lists with Range-read list files, and log_event. Faults are injected per endpoint and
 * counted; every connection and request is recorded so tests can assert what went over the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
export const SECRET = 'secret-test-key';
export const EXAMPLE_DCS = readFileSync(join(FIXTURES, 'example-dcs.json'), 'utf8');
export const EXAMPLE_TIME: number = JSON.parse(EXAMPLE_DCS).time;

/** The example payload with a later `time` and one gate flipped, so a test can tell the two apart. */
export function nextDcs(time: number, publicGateOn = false): string {
  const dcs = JSON.parse(EXAMPLE_DCS);
  dcs.time = time;
  const gate = dcs.feature_gates.find((g: { name: string }) => g.name === 'public_gate');
  gate.enabled = publicGateOn;
  return JSON.stringify(dcs);
}

export type DcsFault =
  | { kind: 'status'; status: number }
  | { kind: 'hang' } // headers never come
  | { kind: 'slowBody' } // headers, a few bytes, then silence
  | { kind: 'cut' } // content-length promises more than is sent, then the socket closes
  | { kind: 'truncated' } // a complete HTTP response whose JSON is cut short
  | { kind: 'invalid' } // well-formed JSON that fails the schema
  | { kind: 'older' } // a valid payload with an older time
  | { kind: 'otherKey' } // a valid payload for another server key
  | { kind: 'noUpdates' }; // {"has_updates": false}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export class FakeStatsig {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  /** The payload served while no fault is set. */
  dcs = EXAMPLE_DCS;
  /** A fault applied to every download_config_specs request until cleared. */
  dcsFault: DcsFault | null = null;
  /** Status log_event answers with (202 = accept). */
  logEventStatus = 202;
  /** When set, get_id_lists answers 200 with exactly this body. */
  manifestBody: string | null = null;
  /** Every event log_event accepted, in arrival order. */
  readonly events: Record<string, unknown>[] = [];
  logEventRequests = 0;
  readonly idListFiles = new Map<string, { fileID: string; creationTime: number; content: string; badRange?: boolean; wholeAs206?: boolean }>();
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #base = '';

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.connections++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** `<origin>/v1`, what `api` / `apiForDownloadConfigSpecs` take. */
  get api(): string {
    return `${this.#base}/v1`;
  }

  dcsRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v1/download_config_specs/'));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    if (path.startsWith('/v1/download_config_specs/')) return this.#dcs(res);
    if (path === '/v1/get_id_lists') return this.#manifest(res);
    if (path.startsWith('/idlists/')) return this.#listFile(req, res, decodeURIComponent(path.slice('/idlists/'.length)));
    if (path === '/v1/log_event') return this.#logEvent(req, res, body);
    res.writeHead(404).end();
  }

  #dcs(res: ServerResponse): void {
    const f = this.dcsFault;
    const json = (text: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    if (!f) return void json(this.dcs);
    switch (f.kind) {
      case 'status':
        return void res.writeHead(f.status, { 'content-type': 'application/json' }).end('{"error":"fault"}');
      case 'hang':
        return; // never answer; the client's headers timeout fires
      case 'slowBody':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(this.dcs.length) });
        res.write(this.dcs.slice(0, 10));
        return; // and nothing more; the client's body timeout fires
      case 'cut':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(this.dcs.length) });
        res.write(this.dcs.slice(0, 100), () => res.socket?.destroy());
        return;
      case 'truncated':
        return void json(this.dcs.slice(0, Math.floor(this.dcs.length / 2)));
      case 'invalid': {
        const dcs = JSON.parse(this.dcs);
        dcs.time += 1_000_000;
        dcs.feature_gates = 'not an array';
        return void json(JSON.stringify(dcs));
      }
      case 'older': {
        const dcs = JSON.parse(this.dcs);
        dcs.time = 1_000;
        dcs.feature_gates = [];
        return void json(JSON.stringify(dcs));
      }
      case 'otherKey': {
        const dcs = JSON.parse(this.dcs);
        dcs.time += 1_000_000;
        dcs.feature_gates = [];
        dcs.hashed_sdk_key_used = '12345';
        return void json(JSON.stringify(dcs));
      }
      case 'noUpdates':
        return void json('{"has_updates":false}');
    }
  }

  #manifest(res: ServerResponse): void {
    if (this.manifestBody !== null) return void res.writeHead(200, { 'content-type': 'application/json' }).end(this.manifestBody);
    const out: Record<string, unknown> = {};
    for (const [name, f] of this.idListFiles) {
      out[name] = { name, size: Buffer.byteLength(f.content), url: `${this.#base}/idlists/${encodeURIComponent(name)}`, creationTime: f.creationTime, fileID: f.fileID };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  }

  #listFile(req: IncomingMessage, res: ServerResponse, name: string): void {
    const f = this.idListFiles.get(name);
    if (!f) return void res.writeHead(404).end();
    const bytes = Buffer.from(f.content);
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const from = m ? Number(m[1]) : 0;
    if (f.wholeAs206) {
      // a server that answers every range with the whole file, yet as a 206 that says so
      return void res
        .writeHead(206, { 'content-type': 'text/plain', 'content-length': String(bytes.length), 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` })
        .end(bytes);
    }
    const slice = f.badRange ? Buffer.from('garbage\n') : bytes.subarray(from);
    res.writeHead(m ? 206 : 200, { 'content-type': 'text/plain', 'content-length': String(slice.length) }).end(slice);
  }

  #logEvent(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    this.logEventRequests++;
    if (this.logEventStatus < 200 || this.logEventStatus >= 300) {
      return void res.writeHead(this.logEventStatus).end('{"success":false}');
    }
    const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString('utf8') : body.toString('utf8');
    const parsed = JSON.parse(text) as { events: Record<string, unknown>[] };
    this.events.push(...parsed.events);
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"success":true}');
  }
}
