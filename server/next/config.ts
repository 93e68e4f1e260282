/**
 * Settings of the Next.js integration: every environment variable it reads, validated with zod in
 * this one place. Nothing defaults to a demo value: the client key and a specs source (a Statsig
 * server secret or a specs file) are required, and nothing is written to disk unless a path is set.
 *
 * A bad value throws InvalidOptionError naming the variable and what is wrong with it. Secrets
 * (server secrets, the bootstrap token, anything passed as a client key) are never echoed.
 */
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../lib/payload-format';
import type { StatsigOptions } from '../options';
import { forcedVariantsConfig } from './forced-config';

export type UserEcho = 'full' | 'minimal';

export interface NextIntegrationConfig {
  /** Client SDK key handed to @statsig/js-client; also names the stable-ID cookie. */
  readonly clientKey: string;
  /** Every client key accepted on the event and initialize routes (`k` query). */
  readonly acceptedClientKeys: readonly string[];
  /** Server secret ('' without one). Only ever used on the server; never rendered. */
  readonly serverSecret: string;
  /** true when the secret is a real Statsig account's (STATSIG_SERVER_SECRET): sync and log upstream. */
  readonly statsigAccount: boolean;
  /** Header (lower case) carrying the client IP, set by a proxy you trust. null = no header is trusted. */
  readonly trustedIpHeader: string | null;
  /** Trusted proxies in front of the app appending to that header: the client is the entry this many from the right. */
  readonly trustedProxyHops: number;
  /** POST /initialize may answer `hash: "none"` (every entity name in plain text): only when the operator allows it. */
  readonly allowHashNone: boolean;
  /** Bearer token for POST /api/statsig/bootstrap. null = server-to-server bootstrap disabled. */
  readonly bootstrapToken: string | null;
  /** What of the user the page bootstrap echoes back (and therefore what lands in the HTML). */
  readonly userEcho: UserEcho;
  /**
   * Format of the bootstraps this deployment writes: the page's (getRequestFlags / getBootstrap), GET
   * and POST /api/statsig/bootstrap. 'v1' (default) or the compact 'init-v2' (@statsig/js-client ≥ 3.27).
   * A per-call `format` (RequestFlagsOptions, the POST body) takes precedence. POST /initialize stays v1.
   */
  readonly bootstrapFormat: PayloadFormat;
  /** Statsig environment tier, when set. */
  readonly environment: string | null;
  /** Specs file (required without STATSIG_SERVER_SECRET; with it, a fallback after the network). */
  readonly specsFile: string | null;
  /** JSONL event log; without a Statsig account the only event destination. null = none. */
  readonly eventLogFile: string | null;
  /**
   * Where the browser's and the server's events go: 'statsig' (log_event, with STATSIG_SERVER_SECRET),
   * 'file' (FIRSTLIGHT_EVENT_LOG) or null: nowhere, so the event routes refuse batches (501, which the
   * browser SDK does not retry).
   */
  readonly eventDestination: 'statsig' | 'file' | null;
  /** Event flush interval; null = the facade's default. */
  readonly flushIntervalMs: number | null;
  /** Durable event spool directory (one spool per sink); every accepted event is on disk before delivery. null = memory only. */
  readonly eventSpoolDir: string | null;
  /** On SIGTERM/SIGINT: how long delivery of buffered events may take before the process exits (the rest stays spooled). */
  readonly shutdownTimeoutMs: number;
  /** With no specs loaded, render defaults instead of failing (RequestFlagsOptions.failOpen overrides). */
  readonly failOpen: boolean;
  /**
   * Consent mode: the cookie whose value `granted` means the visitor consented to a device ID; until
   * then no stable-ID cookie is set or read (RequestFlagsOptions.consent overrides). null = off.
   */
  readonly consentCookie: string | null;
}

// under the 10 s a container runtime usually waits between SIGTERM and SIGKILL
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8_000;
export const MIN_BOOTSTRAP_TOKEN_LENGTH = 16;

/** Values of these variables may appear in error messages; every other variable's value never does. */
const ECHOABLE = new Set([
  'FIRSTLIGHT_TRUSTED_IP_HEADER',
  'FIRSTLIGHT_TRUSTED_PROXY_HOPS',
  'FIRSTLIGHT_ALLOW_HASH_NONE',
  'FIRSTLIGHT_USER_ECHO',
  'FIRSTLIGHT_BOOTSTRAP_FORMAT',
  'FIRSTLIGHT_ENVIRONMENT',
  'FIRSTLIGHT_FLUSH_INTERVAL_MS',
  'FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS',
  'FIRSTLIGHT_FAIL_OPEN',
  'FIRSTLIGHT_CONSENT_COOKIE',
]);

// RFC 9110 token: header and cookie names
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Unset, empty and whitespace-only all mean "not set"; values are trimmed. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), schema.optional());
}

const integer = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ${what}`).max(max, `must be at most ${max}`));

const clientKey = z
  .string()
  .max(256, 'must be at most 256 characters')
  .refine((s) => !s.startsWith('secret-'), 'is a server secret, which must never reach the browser: use the client key (client-…)')
  .refine((s) => /^client-[A-Za-z0-9_-]+$/.test(s), 'must be a Statsig client key (client-…)');

const filePath = z
  .string()
  .max(4096, 'must be at most 4096 characters')
  .refine((s) => !s.includes('\0'), 'must not contain NUL bytes');

const envSchema = z.object({
  FIRSTLIGHT_CLIENT_KEY: optional(clientKey),
  FIRSTLIGHT_CLIENT_KEYS: optional(
    z
      .string()
      .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(clientKey).max(32, 'must list at most 32 keys')),
  ),
  STATSIG_SERVER_SECRET: optional(
    z
      .string()
      .max(256, 'must be at most 256 characters')
      .refine((s) => /^secret-\S+$/.test(s), 'must be a Statsig server secret (secret-…, no spaces)'),
  ),
  FIRSTLIGHT_SERVER_SECRET: optional(
    z
      .string()
      .max(256, 'must be at most 256 characters')
      .refine((s) => /^\S+$/.test(s), 'must not contain spaces'),
  ),
  FIRSTLIGHT_TRUSTED_IP_HEADER: optional(
    z
      .string()
      .max(128, 'must be at most 128 characters')
      .regex(TOKEN_RE, 'must be a valid HTTP header name')
      .transform((s) => s.toLowerCase()),
  ),
  FIRSTLIGHT_TRUSTED_PROXY_HOPS: optional(integer('a positive integer (proxies that append to the trusted header)', 1, 16)),
  FIRSTLIGHT_ALLOW_HASH_NONE: optional(z.enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' }).transform((v) => v === 'true' || v === '1')),
  FIRSTLIGHT_BOOTSTRAP_TOKEN: optional(
    z
      .string()
      .min(MIN_BOOTSTRAP_TOKEN_LENGTH, `must be at least ${MIN_BOOTSTRAP_TOKEN_LENGTH} characters`)
      // what fits an `Authorization: Bearer` header as the route reads it
      .max(512, 'must be at most 512 characters')
      .refine((s) => /^\S+$/.test(s), 'must not contain spaces'),
  ),
  FIRSTLIGHT_USER_ECHO: optional(z.enum(['full', 'minimal'], { error: 'must be "full" or "minimal"' })),
  FIRSTLIGHT_BOOTSTRAP_FORMAT: optional(z.enum(PAYLOAD_FORMATS, { error: 'must be "v1" or "init-v2"' })),
  FIRSTLIGHT_ENVIRONMENT: optional(
    z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be an environment tier name (letters, digits, "_", "-", ".")'),
  ),
  FIRSTLIGHT_SPECS_FILE: optional(filePath),
  FIRSTLIGHT_EVENT_LOG: optional(filePath),
  FIRSTLIGHT_FLUSH_INTERVAL_MS: optional(integer('a positive integer (milliseconds)', 1, 24 * 60 * 60 * 1000)),
  FIRSTLIGHT_EVENT_SPOOL_DIR: optional(filePath),
  FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS: optional(integer('a non-negative integer (milliseconds)', 0, 10 * 60 * 1000)),
  FIRSTLIGHT_FAIL_OPEN: optional(z.enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' }).transform((v) => v === 'true' || v === '1')),
  FIRSTLIGHT_CONSENT_COOKIE: optional(z.string().max(128, 'must be at most 128 characters').regex(TOKEN_RE, 'must be a cookie name (RFC 6265 token)')),
});

function describeValue(name: string, env: Readonly<Record<string, string | undefined>>): string {
  if (!ECHOABLE.has(name)) return '';
  const v = env[name] ?? '';
  return ` (got ${JSON.stringify(v.length > 64 ? v.slice(0, 61) + '…' : v)})`;
}

/**
 * Reads and validates the integration's settings from `env` (process.env by default). Pure apart
 * from reading `env`: no caching, no I/O. Throws InvalidOptionError listing every bad variable.
 */
export function readNextConfig(env: Readonly<Record<string, string | undefined>> = process.env): NextIntegrationConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      if (seen.has(name)) continue;
      seen.add(name);
      problems.push(`${name} ${issue.message}${describeValue(name, env)}`);
    }
    throw new InvalidOptionError(`firstlight: invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const missing: string[] = [];
  if (e.FIRSTLIGHT_CLIENT_KEY === undefined) missing.push('FIRSTLIGHT_CLIENT_KEY is not set (the Statsig client key, client-…, the browser SDK uses)');
  if (e.STATSIG_SERVER_SECRET === undefined && e.FIRSTLIGHT_SPECS_FILE === undefined) {
    missing.push('no specs source: set STATSIG_SERVER_SECRET (specs from Statsig) or FIRSTLIGHT_SPECS_FILE (a download_config_specs JSON file)');
  }
  if (missing.length > 0) throw new InvalidOptionError(`firstlight: missing configuration: ${missing.join('; ')}`);
  const key = e.FIRSTLIGHT_CLIENT_KEY!;
  const statsigAccount = e.STATSIG_SERVER_SECRET !== undefined;
  const eventLogFile = e.FIRSTLIGHT_EVENT_LOG ?? null;
  return {
    clientKey: key,
    acceptedClientKeys: [...new Set([key, ...(e.FIRSTLIGHT_CLIENT_KEYS ?? [])])],
    serverSecret: e.STATSIG_SERVER_SECRET ?? e.FIRSTLIGHT_SERVER_SECRET ?? '',
    statsigAccount,
    trustedIpHeader: e.FIRSTLIGHT_TRUSTED_IP_HEADER ?? null,
    trustedProxyHops: e.FIRSTLIGHT_TRUSTED_PROXY_HOPS ?? 1,
    allowHashNone: e.FIRSTLIGHT_ALLOW_HASH_NONE ?? false,
    bootstrapToken: e.FIRSTLIGHT_BOOTSTRAP_TOKEN ?? null,
    userEcho: e.FIRSTLIGHT_USER_ECHO ?? 'minimal',
    bootstrapFormat: e.FIRSTLIGHT_BOOTSTRAP_FORMAT ?? 'v1',
    environment: e.FIRSTLIGHT_ENVIRONMENT ?? null,
    specsFile: e.FIRSTLIGHT_SPECS_FILE ?? null,
    eventLogFile,
    eventDestination: statsigAccount ? 'statsig' : eventLogFile !== null ? 'file' : null,
    flushIntervalMs: e.FIRSTLIGHT_FLUSH_INTERVAL_MS ?? null,
    eventSpoolDir: e.FIRSTLIGHT_EVENT_SPOOL_DIR ?? null,
    shutdownTimeoutMs: e.FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    failOpen: e.FIRSTLIGHT_FAIL_OPEN ?? false,
    consentCookie: e.FIRSTLIGHT_CONSENT_COOKIE ?? null,
  };
}

let cached: NextIntegrationConfig | null = null;

/** The process's settings, read from process.env on first use (a bad value throws every time until fixed). */
export function nextConfig(): NextIntegrationConfig {
  cached ??= readNextConfig();
  return cached;
}

/**
 * The configuration check for `instrumentation.ts`: call it from `register()` so a missing required
 * setting (FIRSTLIGHT_CLIENT_KEY, a specs source) or a bad FIRSTLIGHT_* value (a server secret passed
 * as the client key, a malformed token) stops the server at start with InvalidOptionError, instead of
 * failing the first request. Says once when events have no destination. Returns the settings.
 */
export function checkConfig(): NextIntegrationConfig {
  const cfg = nextConfig();
  forcedVariantsConfig();
  if (cfg.eventDestination === null && !warnedNoEvents) {
    warnedNoEvents = true;
    console.warn(
      'firstlight: no event destination (STATSIG_SERVER_SECRET or FIRSTLIGHT_EVENT_LOG): exposures and events are not recorded, the event routes answer 501',
    );
  }
  return cfg;
}
let warnedNoEvents = false;

/**
 * The `Statsig` instance's constructor arguments for these settings.
 *
 * With STATSIG_SERVER_SECRET the instance syncs from Statsig and logs upstream (FIRSTLIGHT_SPECS_FILE,
 * when set, is a fallback source). Without it: the specs file, no network, events to the JSONL log
 * when FIRSTLIGHT_EVENT_LOG is set and nowhere otherwise.
 */
export function statsigSetup(cfg: NextIntegrationConfig): { secret: string; options: StatsigOptions } {
  const common: StatsigOptions = {
    ...(cfg.environment ? { environment: cfg.environment } : {}),
    ...(cfg.eventLogFile ? { eventLogFile: cfg.eventLogFile } : {}),
    ...(cfg.flushIntervalMs ? { flushIntervalMs: cfg.flushIntervalMs } : {}),
    ...(cfg.eventSpoolDir ? { eventSpoolDir: cfg.eventSpoolDir } : {}),
    ...(cfg.specsFile ? { specsFile: cfg.specsFile } : {}),
  };
  if (cfg.statsigAccount) return { secret: cfg.serverSecret, options: common };
  return { secret: cfg.serverSecret, options: { ...common, localMode: true, eventSinks: cfg.eventDestination === 'file' ? ['file'] : [] } };
}
