/**
 * The local event log: one JSON event per line, appended. What a user without a Statsig account reads.
 *
 * Each line carries its batch's `batchID`. A batch is written whole (continuing after short writes, which
 * a filling disk answers without an error) and fsynced; a write that fails part-way (ENOSPC) is cut back
 * to where the file ended, so a batch is in the file whole or not at all, and its retry adds it once. A batch whose ID is already in the file (a retry after a
 * crash between writing and acknowledging a spooled batch) is skipped. Before the first write the
 * file's tail is checked: a last line without its newline (a crash mid-write) is removed.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StatsigEvent } from '../event';
import { DeliveryError, type BatchMeta, type EventSink } from '../event-sink';
import { writeAll } from '../write-all';

/** How much of the file's end is read for batch IDs and a torn line at start. */
const TAIL_BYTES = 1024 * 1024;
/** Batch IDs remembered (the spool redelivers at most its unacknowledged head after a restart). */
const RECENT_IDS = 4096;

export class JsonlFileSink implements EventSink {
  readonly name = 'file';
  readonly path: string;
  #checked = false;
  readonly #recent = new Set<string>();
  /** Bytes of a torn last line removed before the first write. */
  repairedBytes = 0;

  constructor(path: string) {
    this.path = path;
  }

  async send(batch: readonly StatsigEvent[], _signal?: AbortSignal, meta?: BatchMeta): Promise<void> {
    try {
      if (!this.#checked) await this.#checkTail();
      const id = meta?.batchId;
      if (id !== undefined && this.#recent.has(id)) return;
      let text = '';
      for (const e of batch) text += (id === undefined ? JSON.stringify(e) : JSON.stringify({ ...e, batchID: id })) + '\n';
      await this.#append(text);
      if (id !== undefined) this.#remember(id);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      this.#checked = false;
      throw new DeliveryError(`event log: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, true, { cause: err });
    }
  }

  async #append(text: string): Promise<void> {
    const fh = await open(this.path, 'a');
    try {
      const { size } = await fh.stat();
      try {
        // opened for appending: every write lands at the end, after the bytes a short write left
        await writeAll(fh, Buffer.from(text, 'utf8'), null);
        await fh.sync();
      } catch (err) {
        // a failed write leaves part of the batch: take it back out so the retry writes it once
        await fh.truncate(size).catch(() => {});
        throw err;
      }
    } finally {
      await fh.close().catch(() => {});
    }
  }

  async #checkTail(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0) {
      const fh = await open(this.path, 'r+');
      try {
        const start = Math.max(0, size - TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        await fh.read(buf, 0, buf.length, start);
        const lastNewline = buf.lastIndexOf(0x0a);
        const keep = lastNewline + 1;
        if (keep < buf.length && (start === 0 || lastNewline >= 0)) {
          await fh.truncate(start + keep);
          await fh.sync();
          this.repairedBytes += buf.length - keep;
        }
        const text = buf.subarray(0, keep).toString('utf8');
        for (const m of text.matchAll(/"batchID":"([^"]{1,64})"\}\n/g)) this.#remember(m[1]!);
      } finally {
        await fh.close();
      }
    }
    this.#checked = true;
  }

  #remember(id: string): void {
    this.#recent.add(id);
    if (this.#recent.size > RECENT_IDS) this.#recent.delete(this.#recent.values().next().value!);
  }
}
