/**
 * One download_config_specs payload as the proxy serves it: the bytes as upstream sent them, gzip and
 * br forms, and an ETag per form. Encoded once per new lcut, never per request.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** The two download_config_specs formats the proxy relays: v1 (statsig-node and older) and v2 (the server core). */
export type DcsVersion = 'v1' | 'v2';

export interface CachedSpecs {
  readonly lcut: number;
  readonly body: Buffer;
  readonly gz: Buffer;
  readonly br: Buffer;
  readonly etag: string;
  readonly etagGz: string;
  readonly etagBr: string;
  /** wall-clock ms when this proxy installed it */
  readonly installedAt: number;
  readonly from: 'upstream' | 'store';
}

export async function encodeSpecs(text: string | Buffer, lcut: number, from: CachedSpecs['from']): Promise<CachedSpecs> {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const [gz, br] = await Promise.all([
    gzipAsync(body),
    // quality 5: near-best size for JSON at a fraction of quality 11's time, paid once per lcut
    brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  ]);
  const tag = createHash('sha1').update(body).digest('base64url').slice(0, 16);
  return { lcut, body, gz, br, etag: `"${lcut}-${tag}"`, etagGz: `"${lcut}-${tag}-gz"`, etagBr: `"${lcut}-${tag}-br"`, installedAt: Date.now(), from };
}
