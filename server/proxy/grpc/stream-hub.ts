/**
 * The open StreamConfigSpec streams of one proxy, grouped by (format, SDK key), and the messages pushed
 * to them.
 *
 * Each message is protobuf-encoded once per (key, lcut) and the same bytes are written to every stream
 * of that key. A stream holds at most one message in flight and one waiting: a push that finds the
 * previous write unfinished (the client reads slowly or not at all, and HTTP/2 flow control holds the
 * data) replaces the waiting one, so an older lcut is dropped for the newest and the proxy never queues
 * more than two messages per stream, however many pushes arrive. A stream whose write has not finished
 * after `stuckAfterMs` is ended with UNAVAILABLE, which the SDKs answer by reconnecting.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ConfigSpecRequestMessage, ConfigSpecResponseMessage } from './proto';
import type { HubStats } from './stats';

export type { HubStats } from './stats';

const NO_UPDATES_SPEC = '{"has_updates":false}';
/** grpc.status codes (numbers fixed by the gRPC spec; grpc-js is loaded only at run time) */
const UNAVAILABLE = 14;
const PERMISSION_DENIED = 7;
/** push latencies kept for the health document's percentiles */
const LATENCY_WINDOW = 512;

/** What the hub needs of the spec cache: the current specs of a stream's key. */
export interface StreamSpecs {
  readonly lcut: number;
  readonly body: Buffer;
}

export type Encode = (m: ConfigSpecResponseMessage) => Buffer;

export interface HubCounters {
  pushed(kind: 'full' | 'keepalive', n: number): void;
  superseded(): void;
  closedStuck(): void;
  closedRefused(n: number): void;
  pushLatency(seconds: number): void;
}


type Call = ServerWritableStream<ConfigSpecRequestMessage, Buffer>;

interface Subscriber {
  readonly call: Call;
  readonly group: string;
  /** lcut of the last message handed to the stream (full or keepalive) */
  sentLcut: number;
  writing: boolean;
  /** set when a write started and is not finished yet (ms, monotonic) */
  writingSince: number;
  waiting: { buf: Buffer; lcut: number } | null;
  keepalive: NodeJS.Timeout | null;
}

interface Encoded {
  readonly lcut: number;
  readonly full: Buffer;
  readonly noUpdates: Buffer;
}

export interface StreamHubOptions {
  readonly keepaliveMs: number;
  readonly stuckAfterMs: number;
  readonly encode: Encode;
  readonly counters: HubCounters;
  readonly now: () => number;
}

export class StreamHub {
  readonly #o: StreamHubOptions;
  readonly #groups = new Map<string, Set<Subscriber>>();
  readonly #encoded = new Map<string, Encoded>();
  /** the newest specs published per key, streams or not: a stream opened before the key's own specs catch up starts from these */
  readonly #newest = new Map<string, StreamSpecs>();
  #open = 0;
  readonly #stats = { pushesFull: 0, pushesKeepalive: 0, superseded: 0, closedStuck: 0, closedRefused: 0 };
  readonly #latencies: number[] = [];
  #latencyNext = 0;

  constructor(options: StreamHubOptions) {
    this.#o = options;
  }

  /** Streams open now, including those still waiting for their first message. */
  get open(): number {
    return this.#open;
  }

  /** Reserve a place for a stream before its key is looked up (the stream limit counts it at once). */
  reserve(): () => void {
    this.#open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
    };
  }

  stats(): HubStats {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const at = (p: number) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10);
    return { openStreams: this.#open, ...this.#stats, pushLatencyMs: { n: sorted.length, p50: at(50), p99: at(99), max: at(100) } };
  }

  /**
   * The protobuf bytes of one key's specs, encoded once per lcut and shared by every stream and the
   * unary answers: those of `specs`, or of a newer lcut already pushed (the key's own specs can trail a
   * push by the few ms their compression for HTTP takes).
   */
  encodedFor(group: string, given: StreamSpecs): Encoded {
    const newest = this.#newest.get(group);
    const specs = newest && newest.lcut > given.lcut ? newest : given;
    const e = this.#encoded.get(group);
    if (e && e.lcut >= specs.lcut) return e;
    const lastUpdated = String(specs.lcut);
    const next: Encoded = {
      lcut: specs.lcut,
      full: this.#o.encode({ spec: specs.body.toString('utf8'), lastUpdated }),
      noUpdates: this.#o.encode({ spec: NO_UPDATES_SPEC, lastUpdated }),
    };
    if (!e || specs.lcut > e.lcut) this.#encoded.set(group, next);
    return next;
  }

  /**
   * Starts a stream: sends the first message (full specs, or has_updates:false when `sinceTime` is
   * current) and subscribes it to the key's pushes. `release` is called once when the stream ends.
   */
  attach(group: string, call: Call, specs: StreamSpecs, sinceTime: number, release: () => void): void {
    const sub: Subscriber = { call, group, sentLcut: 0, writing: false, writingSince: 0, waiting: null, keepalive: null };
    let set = this.#groups.get(group);
    if (!set) this.#groups.set(group, (set = new Set()));
    set.add(sub);
    const end = () => {
      this.#detach(sub);
      release();
    };
    // 'close' also covers an abrupt disconnect mid-write; 'error' must be handled or it would be thrown
    call.once('close', end);
    call.once('cancelled', end);
    call.once('finish', end);
    // an error ends the pushes; the place under the stream limit is kept until the stream has really closed
    call.on('error', () => this.#detach(sub));
    const enc = this.encodedFor(group, specs);
    if (sinceTime > 0 && sinceTime >= enc.lcut) this.#send(sub, enc.noUpdates, enc.lcut, 'keepalive');
    else this.#send(sub, enc.full, enc.lcut, 'full');
  }

  /** A new lcut for a key: the full specs go to every stream of it that has not seen that lcut. */
  publish(group: string, specs: StreamSpecs, learnedAt: number): void {
    if (specs.lcut > (this.#newest.get(group)?.lcut ?? 0)) this.#newest.set(group, { lcut: specs.lcut, body: specs.body });
    const set = this.#groups.get(group);
    if (!set || set.size === 0) return;
    const enc = this.encodedFor(group, specs);
    if (enc.lcut !== specs.lcut) return; // an older lcut than one already pushed
    let n = 0;
    for (const sub of set) {
      if (Math.max(sub.sentLcut, sub.waiting?.lcut ?? 0) >= specs.lcut) continue;
      this.#send(sub, enc.full, specs.lcut, 'full');
      n++;
    }
    this.#o.counters.pushed('full', n);
    this.#stats.pushesFull += n;
    if (n > 0) {
      const ms = Math.max(0, this.#o.now() - learnedAt);
      this.#o.counters.pushLatency(ms / 1000);
      this.#latencies[this.#latencyNext] = ms;
      this.#latencyNext = (this.#latencyNext + 1) % LATENCY_WINDOW;
    }
  }

  /**
   * Upstream refuses the key now: its open streams end with PERMISSION_DENIED (as a new stream of it
   * would be answered), and its encoded specs are let go. Returns how many streams were ended.
   */
  endGroup(group: string, details: string): number {
    const set = this.#groups.get(group);
    this.#encoded.delete(group);
    this.#newest.delete(group);
    if (!set) return 0;
    const subs = [...set];
    for (const sub of subs) {
      this.#detach(sub);
      try {
        sub.call.emit('error', Object.assign(new Error(details), { code: PERMISSION_DENIED, details }));
      } catch {
        // already gone
      }
    }
    this.#stats.closedRefused += subs.length;
    if (subs.length > 0) this.#o.counters.closedRefused(subs.length);
    return subs.length;
  }

  /** Ends every stream (shutdown): the SDKs see the stream close and reconnect elsewhere. */
  closeAll(): void {
    for (const set of this.#groups.values()) {
      for (const sub of [...set]) {
        try {
          sub.call.end();
        } catch {
          // already gone
        }
      }
    }
  }

  #send(sub: Subscriber, buf: Buffer, lcut: number, kind: 'full' | 'keepalive'): void {
    if (sub.call.cancelled || sub.call.writableEnded || sub.call.destroyed) return;
    if (sub.writing) {
      if (sub.waiting) {
        this.#o.counters.superseded();
        this.#stats.superseded++;
      }
      sub.waiting = { buf, lcut };
      return;
    }
    sub.writing = true;
    sub.writingSince = this.#o.now();
    sub.sentLcut = Math.max(sub.sentLcut, lcut);
    this.#armKeepalive(sub);
    try {
      sub.call.write(buf, () => {
        sub.writing = false;
        const w = sub.waiting;
        sub.waiting = null;
        if (w) this.#send(sub, w.buf, w.lcut, 'full');
      });
    } catch {
      sub.writing = false;
    }
  }

  #detach(sub: Subscriber): void {
    if (sub.keepalive) clearTimeout(sub.keepalive);
    sub.keepalive = null;
    sub.waiting = null;
    const s = this.#groups.get(sub.group);
    if (s?.delete(sub) && s.size === 0) this.#groups.delete(sub.group);
  }

  #armKeepalive(sub: Subscriber): void {
    if (sub.keepalive) clearTimeout(sub.keepalive);
    sub.keepalive = setTimeout(() => this.#quiet(sub), this.#o.keepaliveMs);
    sub.keepalive.unref();
  }

  /** Nothing written for a keepalive interval: send has_updates:false, or end a stream that cannot take it. */
  #quiet(sub: Subscriber): void {
    sub.keepalive = null;
    if (!this.#groups.get(sub.group)?.has(sub)) return;
    if (sub.writing) {
      if (this.#o.now() - sub.writingSince >= this.#o.stuckAfterMs) {
        // no more pushes for it, and the waiting message is let go; the status follows the unfinished
        // write (HTTP/2 cannot send it sooner), and the SDK reconnects when it reads again
        this.#o.counters.closedStuck();
        this.#stats.closedStuck++;
        this.#detach(sub);
        sub.call.emit('error', Object.assign(new Error('client is not reading its stream'), { code: UNAVAILABLE }));
        return;
      }
      this.#armKeepalive(sub);
      return;
    }
    const enc = this.#encoded.get(sub.group);
    if (!enc) return this.#armKeepalive(sub);
    this.#o.counters.pushed('keepalive', 1);
    this.#stats.pushesKeepalive++;
    this.#send(sub, enc.noUpdates, sub.sentLcut, 'keepalive');
  }
}
