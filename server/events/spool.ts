/**
 * A durable FIFO of event batches on local disk: the write-ahead log of one sink's channel, so a batch
 * that was accepted survives a sink outage longer than memory holds, a SIGTERM and a crash.
 *
 * File `<path>`: append-only records `[u32 BE payload length][8 bytes SHA-256 prefix][payload]`, the
 * payload being `{"id":…,"events":[…]}`; every append is fsynced before it resolves. File `<path>.ack`:
 * the byte offset of the first record not yet delivered, fsynced after each delivery. When every record
 * is delivered the log is truncated to zero (then the cursor reset), so it never grows past what is
 * pending. On open, a record that is cut short or fails its checksum ends the log: it and anything after
 * it (a write torn by a crash or a full disk) is truncated away. A cursor past the end (a crash between
 * truncation and cursor reset) means everything was delivered.
 *
 * All file operations run one at a time, in call order.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StatsigEvent } from './event';
import { writeAll } from './write-all';

const HEADER = 12;
const MAX_RECORD = 256 * 1024 * 1024;

export interface SpooledBatch {
  readonly id: string;
  readonly events: readonly StatsigEvent[];
}

interface RecordRef {
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly count: number;
  /** The events while they are cached in memory; null once evicted (read back from disk on demand). */
  events: readonly StatsigEvent[] | null;
}

export interface SpoolStats {
  readonly records: number;
  readonly events: number;
  readonly bytes: number;
  /** Bytes of torn or corrupt tail truncated when the spool was opened. */
  readonly repairedBytes: number;
}

function checksum(payload: Buffer): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 8);
}

export function encodeRecord(batch: SpooledBatch): Buffer {
  const payload = Buffer.from(JSON.stringify({ id: batch.id, events: batch.events }), 'utf8');
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(payload.length, 0);
  checksum(payload).copy(header, 4);
  return Buffer.concat([header, payload]);
}

/** The valid records at the start of `buf` and where the valid prefix ends. */
function scan(buf: Buffer): { refs: RecordRef[]; end: number } {
  const refs: RecordRef[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (len > MAX_RECORD || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (!checksum(payload).equals(buf.subarray(off + 4, off + HEADER))) break;
    let parsed: SpooledBatch;
    try {
      parsed = JSON.parse(payload.toString('utf8')) as SpooledBatch;
    } catch {
      break;
    }
    if (typeof parsed?.id !== 'string' || !Array.isArray(parsed.events)) break;
    refs.push({ id: parsed.id, offset: off, length: HEADER + len, count: parsed.events.length, events: null });
    off += HEADER + len;
  }
  return { refs, end: off };
}

export class FileSpool {
  readonly path: string;
  readonly #cacheLimitBytes: number;
  #fh: FileHandle | null = null;
  #size = 0;
  #refs: RecordRef[] = [];
  #cachedBytes = 0;
  #repaired = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #opened: Promise<void> | null = null;

  /** `cacheLimitBytes`: how much of the pending records stays in memory too (the rest is read back). */
  constructor(path: string, cacheLimitBytes: number) {
    this.path = path;
    this.#cacheLimitBytes = cacheLimitBytes;
  }

  /** Opens (once) and repairs the log. Rejects when the directory or file cannot be opened. */
  open(): Promise<void> {
    this.#opened ??= this.#serial(() => this.#open()).catch((err: unknown) => {
      this.#opened = null;
      throw err;
    });
    return this.#opened;
  }

  get isOpen(): boolean {
    return this.#fh !== null;
  }

  stats(): SpoolStats {
    let events = 0;
    for (const r of this.#refs) events += r.count;
    const bytes = this.#refs.length === 0 ? 0 : this.#size - this.#refs[0]!.offset;
    return { records: this.#refs.length, events, bytes, repairedBytes: this.#repaired };
  }

  /** Appends one batch and fsyncs. On failure the file is cut back to where it was (no torn record stays). */
  append(batch: SpooledBatch): Promise<void> {
    return this.#serial(async () => {
      await this.#ensureOpen();
      const fh = this.#fh!;
      const record = encodeRecord(batch);
      const offset = this.#size;
      try {
        await writeAll(fh, record, offset);
        await fh.sync();
      } catch (err) {
        await fh.truncate(offset).catch(() => {});
        throw err;
      }
      this.#size = offset + record.length;
      const cache = this.#cachedBytes + record.length <= this.#cacheLimitBytes;
      if (cache) this.#cachedBytes += record.length;
      this.#refs.push({ id: batch.id, offset, length: record.length, count: batch.events.length, events: cache ? batch.events : null });
    });
  }

  /** The oldest batch not yet delivered, or null. */
  peek(): Promise<SpooledBatch | null> {
    return this.#serial(async () => {
      const ref = this.#refs[0];
      if (!ref) return null;
      if (ref.events) return { id: ref.id, events: ref.events };
      const buf = Buffer.alloc(ref.length);
      await this.#fh!.read(buf, 0, ref.length, ref.offset);
      const parsed = JSON.parse(buf.subarray(HEADER).toString('utf8')) as SpooledBatch;
      return { id: ref.id, events: parsed.events };
    });
  }

  /** Marks the oldest batch (which must be `id`) delivered; truncates the log once nothing is pending. */
  ack(id: string): Promise<void> {
    return this.#serial(async () => {
      const ref = this.#refs[0];
      if (!ref || ref.id !== id) return;
      this.#refs.shift();
      if (ref.events) this.#cachedBytes -= ref.length;
      if (this.#refs.length === 0) {
        await this.#fh!.truncate(0);
        await this.#fh!.sync();
        this.#size = 0;
        await this.#writeCursor(0);
      } else {
        await this.#writeCursor(this.#refs[0]!.offset);
      }
    });
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#fh?.close().catch(() => {});
      this.#fh = null;
      this.#opened = null;
    });
  }

  async #ensureOpen(): Promise<void> {
    if (!this.#fh) await this.#open();
  }

  async #open(): Promise<void> {
    if (this.#fh) return;
    await mkdir(dirname(this.path), { recursive: true });
    const fh = await open(this.path, 'a+');
    try {
      const buf = await fh.readFile();
      const { refs, end } = scan(buf);
      if (end < buf.length) {
        this.#repaired += buf.length - end;
        await fh.truncate(end);
        await fh.sync();
      }
      const cursor = await this.#readCursor();
      const pending = cursor > end ? [] : refs.filter((r) => r.offset >= cursor);
      this.#fh = fh;
      this.#size = end;
      this.#refs = pending;
      this.#cachedBytes = 0;
      if (pending.length === 0 && end > 0) {
        await fh.truncate(0);
        await fh.sync();
        this.#size = 0;
        await this.#writeCursor(0);
      }
    } catch (err) {
      this.#fh = null;
      await fh.close().catch(() => {});
      throw err;
    }
  }

  async #readCursor(): Promise<number> {
    try {
      const n = Number((await readFile(`${this.path}.ack`, 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  async #writeCursor(offset: number): Promise<void> {
    // write-then-rename, so a crash leaves the old cursor or the new one, never half of one
    const tmp = `${this.path}.ack.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(String(offset));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, `${this.path}.ack`);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }
}
