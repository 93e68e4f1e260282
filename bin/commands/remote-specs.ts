/**
 * download_config_specs from a running source for the CLI (`firstlight types --source URL`): Statsig's
 * CDN or API, or a forward proxy, asked once through the project's HttpClient (the SDK's retry policy
 * and timeouts) and judged by parseSpecs. The SDK key travels in the path and the STATSIG-API-KEY
 * header as the SDK sends it; it never appears in a message (the URL is shown with `<secret>`).
 */
import { z } from 'zod';
import { parseSpecs, SpecKeyMismatchError, SpecParseError, type Specs } from '../../lib/index';
import { HttpClient, redact } from '../../server/net/http-client';
import { HttpError } from '../../server/net/http-error';
import { CliError } from './common';

/** A payload larger than this is refused: Statsig's largest projects are tens of MB. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

const sourceSchema = z
  .string()
  .trim()
  .transform((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a URL' });
      return z.NEVER;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
    else if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not carry credentials (the key goes in --sdk-key or FIRSTLIGHT_SERVER_SECRET)' });
    else if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'must not have a query or fragment' });
    // a key in the URL would be echoed by shells, logs and this command's own messages
    else if (/\/download_config_specs\/[^/]+$/.test(u.pathname)) {
      ctx.addIssue({ code: 'custom', message: 'must end at /download_config_specs or the API base (e.g. https://api.statsigcdn.com/v1), without the key' });
    }
    return u.href.replace(/\/+$/, '');
  });

const keySchema = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(256, 'is longer than 256 characters')
  .refine((k) => /^[\x21-\x7e]+$/.test(k), 'must be printable ASCII without spaces');

const timeoutSchema = z.coerce.number().int('must be a whole number of milliseconds').min(1, 'must be at least 1').max(600_000, 'must be at most 600000');

export interface RemoteSpecsRequest {
  readonly source: string;
  /** --sdk-key, or undefined to read STATSIG_SERVER_SECRET / FIRSTLIGHT_SERVER_SECRET. */
  readonly sdkKey: string | undefined;
  readonly timeoutMs: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function issue(command: string, what: string, r: z.ZodSafeParseResult<unknown>): string {
  return `${command}: ${what} ${r.success ? '' : r.error.issues[0]!.message}`;
}

/** The download_config_specs URL for a base or a `…/download_config_specs` URL (the key appended). */
export function dcsUrl(source: string, sdkKey: string): string {
  const base = /\/download_config_specs$/.test(new URL(source).pathname) ? source : `${source}/download_config_specs`;
  return `${base}/${encodeURIComponent(sdkKey)}.json`;
}

export async function loadRemoteSpecs(command: string, req: RemoteSpecsRequest): Promise<{ specs: Specs; url: string }> {
  const src = sourceSchema.safeParse(req.source);
  if (!src.success) throw new CliError(issue(command, '--source', src));
  // the service's own variables, in the service's order (server/next/config.ts)
  const keyText = req.sdkKey ?? req.env.STATSIG_SERVER_SECRET ?? req.env.FIRSTLIGHT_SERVER_SECRET;
  const keyFrom = req.sdkKey !== undefined ? '--sdk-key' : req.env.STATSIG_SERVER_SECRET !== undefined ? 'STATSIG_SERVER_SECRET' : 'FIRSTLIGHT_SERVER_SECRET';
  if (keyText === undefined) throw new CliError(`${command}: --source needs an SDK key: --sdk-key KEY or FIRSTLIGHT_SERVER_SECRET in the environment`);
  const key = keySchema.safeParse(keyText);
  if (!key.success) throw new CliError(issue(command, keyFrom, key));
  const timeout = timeoutSchema.safeParse(req.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS);
  if (!timeout.success) throw new CliError(issue(command, '--timeout-ms', timeout));
  const t = timeout.data;
  const url = dcsUrl(src.data, key.data);
  const shown = redact(url);
  const client = new HttpClient(key.data, {
    connectTimeoutMs: t,
    headersTimeoutMs: t,
    bodyTimeoutMs: t,
    keepAliveTimeoutMs: 1_000,
    maxRetries: 2,
    retryBackoffMs: 200,
    dispatcher: null,
  });
  let text: string;
  try {
    const res = await client.exchange({ method: 'GET', url, endpoint: 'download_config_specs', timeoutMs: t * 3 + 2_000 });
    if (res.status < 200 || res.status >= 300) {
      const hint = res.status === 401 || res.status === 403 ? ' (is the SDK key right? it must be a server secret)' : '';
      throw new CliError(`${command}: --source ${shown} answered ${res.status}${hint}`);
    }
    if (res.headers['content-encoding'] !== undefined && res.headers['content-encoding'] !== 'identity') {
      throw new CliError(`${command}: --source ${shown} answered with content-encoding ${String(res.headers['content-encoding'])}, which was not asked for`);
    }
    if (res.body.length > MAX_SOURCE_BYTES) throw new CliError(`${command}: --source ${shown} answered ${res.body.length} bytes, more than ${MAX_SOURCE_BYTES}`);
    text = res.body.toString('utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    // HttpError messages carry the redacted URL; anything else is reduced to its code
    const why = e instanceof HttpError ? e.message.replace(/^request to \S+ /, '') : ((e as { code?: string }).code ?? 'error');
    throw new CliError(`${command}: --source ${shown}: ${scrub(why, key.data)}`);
  } finally {
    await client.close();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${command}: --source ${shown} did not answer JSON: ${scrub((e as Error).message, key.data).slice(0, 200)}`);
  }
  if (typeof json === 'object' && json !== null && (json as { has_updates?: unknown }).has_updates === false) {
    throw new CliError(`${command}: --source ${shown} answered {"has_updates": false}: it holds no specs for this key yet`);
  }
  try {
    return { specs: parseSpecs(json, { serverSecret: key.data }), url: shown };
  } catch (e) {
    if (e instanceof SpecKeyMismatchError) throw new CliError(`${command}: --source ${shown} served specs issued for another SDK key (hashed_sdk_key_used does not match)`);
    if (e instanceof SpecParseError) throw new CliError(`${command}: --source ${shown} did not answer a valid download_config_specs payload: ${scrub(e.message, key.data)}`);
    throw e;
  }
}

/** A key echoed back by a server (or a parse error quoting the payload) must not reach the terminal. */
function scrub(text: string, key: string): string {
  return text.split(key).join('<secret>').split(encodeURIComponent(key)).join('<secret>');
}
