/** Small HTTP helpers for route handlers: bounded body reads, gzip, JSON replies. */
import { gunzipSync } from 'node:zlib';
import { routeWarn, sanitizeForLog } from './route-log';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly code = 'FL_ERR_ROUTE';
  constructor(
    readonly status: number,
    message: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof HttpError) return json(e.status, { error: e.message, ...(e.body ?? {}) });
  // one line, not a stack trace: a request must not be able to write more than a line to the log
  const err = e as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  const at = typeof err?.stack === 'string' ? (/\n\s+at (.{1,200})/.exec(err.stack)?.[1] ?? '') : '';
  routeWarn('internal', sanitizeForLog(`route error ${String(err?.name ?? 'Error')} ${typeof err?.code === 'string' ? err.code : ''}: ${String(err?.message ?? e)}${at ? ` at ${at}` : ''}`, 600));
  return json(500, { error: 'internal error' });
}

/** Read at most `limit` bytes of the body; 413 beyond that (declared or actual). */
export async function readBodyLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `body exceeds ${limit} bytes`);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Decode a possibly gzipped body (query gz=1, Content-Encoding: gzip, or the gzip magic bytes). */
export function decodeBody(bytes: Uint8Array, opts: { gzipHint: boolean; maxInflated: number }): string {
  const isGzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (opts.gzipHint || isGzip) {
    if (!isGzip) throw new HttpError(400, 'body is not gzip');
    try {
      return Buffer.from(gunzipSync(bytes, { maxOutputLength: opts.maxInflated })).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new HttpError(413, 'inflated body too large');
      throw new HttpError(400, 'invalid gzip body');
    }
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
