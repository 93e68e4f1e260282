/**
 * Request bodies of the proxy: read with a byte limit, decoded in every encoding Statsig's SDKs send
 * (identity, gzip, deflate, br, zstd) with the same limit on the decoded size, and JSON parsed only
 * after its nesting depth is checked — a body nested thousands deep parses fine but later makes
 * JSON.stringify overflow the stack, so it is refused here, before it is queued.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { jsonTextDepthExceeds } from '../net/json-depth';

/** A request body the proxy refuses; `status` is its answer (400 malformed, 413 too large, 415 encoding). */
export class BodyError extends Error {
  readonly code = 'FL_ERR_PROXY_BODY';
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
  }
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const brotliAsync = promisify(brotliDecompress);

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) throw new BodyError('request body too large', 413);
    chunks.push(c as Buffer);
  }
  return decode(Buffer.concat(chunks), req.headers['content-encoding'], maxBytes);
}

/** The limit holds for the decoded body too: a small compression bomb must not cost gigabytes. */
export async function decode(raw: Buffer, encoding: string | string[] | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  if (enc === '' || enc === 'identity') return raw;
  try {
    switch (enc) {
      case 'gzip':
      case 'x-gzip':
        return await gunzipAsync(raw, { maxOutputLength: maxBytes });
      case 'deflate':
        return await inflateAsync(raw, { maxOutputLength: maxBytes });
      case 'br':
        return await brotliAsync(raw, { maxOutputLength: maxBytes });
      case 'zstd':
        return zstdDecode(raw, maxBytes);
      default:
        throw new BodyError(`unsupported content-encoding ${JSON.stringify(enc.slice(0, 40))} (identity, gzip, deflate, br or zstd)`, 415);
    }
  } catch (e) {
    if (e instanceof BodyError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyError('decoded request body too large', 413);
    throw new BodyError(`request body is not valid ${enc}`, 400);
  }
}

/** Node 20's zlib has no zstd; fzstd streams, so the size limit stops a bomb before it is inflated. */
function zstdDecode(raw: Buffer, maxBytes: number): Buffer {
  const out: Uint8Array[] = [];
  let size = 0;
  const d = new ZstdDecompress((chunk) => {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError('decoded request body too large', 413);
    out.push(chunk);
  });
  d.push(raw, true);
  return Buffer.concat(out, size);
}

export function parseJsonBody(buf: Buffer, maxDepth: number): unknown {
  // the SDK's own depth check (the routes of firstlight/next use it): one linear pass before JSON.parse
  const text = buf.toString('utf8');
  if (jsonTextDepthExceeds(text, maxDepth)) throw new BodyError(`JSON body nested deeper than ${maxDepth} levels`, 400);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BodyError(`request body is not valid JSON: ${(e as Error).message}`, 400);
  }
}
