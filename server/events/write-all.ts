/**
 * Writes a whole buffer to a file handle. One write(2) may write only part of what it was given and
 * report no error — a disk filling up does exactly that, and only the next call fails with ENOSPC — so
 * a single `FileHandle.write` that resolves does not mean the bytes are in the file.
 */

/** The part of node:fs/promises' FileHandle this needs (a test can pass a handle that writes short). */
export interface WritableHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
}

/** A write that made no progress: treated as a failure rather than looping forever. */
export class ShortWriteError extends Error {
  override name = 'ShortWriteError';
  readonly code = 'FL_ERR_SHORT_WRITE';
}

/**
 * Writes every byte of `buf` at `position` (null: at the current position, which a file opened for
 * appending keeps at its end), continuing after short writes. Rejects with the write's error (e.g.
 * ENOSPC) or ShortWriteError; the caller decides what to do with the bytes already written.
 */
export async function writeAll(fh: WritableHandle, buf: Uint8Array, position: number | null): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position === null ? null : position + done);
    if (bytesWritten <= 0) throw new ShortWriteError(`write made no progress at byte ${done} of ${buf.length}`);
    done += bytesWritten;
  }
}
