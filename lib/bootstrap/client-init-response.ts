/**
 * The client initialize response (bootstrap) for one user: statsig-node 6.5.2's
 * getClientInitializeResponse, as a string (the fast path) or as an object.
 */
import { InvalidOptionError } from '../errors';
import type { LocalOverrides } from '../overrides';
import type { HashMode, Specs } from '../spec/compiled';
import { Evaluation, evaluateAll } from '../evaluation';
import type { JsonObject } from '../types';
import { writeClientInitializeResponse, type WriteOptions } from './cir-writer';
import { writeInitV2Response } from './init-v2-writer';
import type { UserEcho } from './user-echo';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../payload-format';

export { PAYLOAD_FORMATS, type PayloadFormat };

export interface ClientInitializeResponseOptions {
  /** Payload format. @default 'v1' */
  format?: PayloadFormat;
  /** How entity names are hashed in the payload. @default 'djb2' */
  hash?: HashMode;
  /** Client SDK key: filters entities to its target app and resolves `target_app` conditions. */
  clientKey?: string;
  /** Local overrides, applied as in server checks (top-level and nested). */
  overrides?: LocalOverrides;
  /** Keep only these entities (plus the gates their exposures name and layer delegates). */
  only?: readonly string[];
  /**
   * 'full' echoes the user as statsig-node does (minus privateAttributes). 'minimal' echoes only
   * IDs, environment, country/locale/appVersion; the client must then be created with exactly
   * `cir.user`. @default 'full'
   */
  userEcho?: UserEcho;
  /** Environment tier for a user without statsigEnvironment; else the payload's default_environment. */
  environment?: string;
  /** Clock for current_time conditions (ms). @default Date.now() */
  now?: number;
}

/** Options when rendering from an existing Evaluation (its user, key, overrides are fixed). */
export type RenderOptions = Pick<ClientInitializeResponseOptions, 'format' | 'hash' | 'only' | 'userEcho' | 'clientKey'>;

/** The JSON shape; maps are keyed by the hashed names. */
export interface ClientInitializeResponse {
  feature_gates: Record<string, JsonObject>;
  dynamic_configs: Record<string, JsonObject>;
  layer_configs: Record<string, JsonObject>;
  sdkParams: JsonObject;
  has_updates: true;
  generator: string;
  sdkInfo: { sdkType: string; sdkVersion: string };
  time: number;
  evaluated_keys: { userID?: string | number; customIDs?: Record<string, string> };
  hash_used: HashMode;
  user: JsonObject;
  [key: string]: unknown;
}

/** The init-v2 JSON shape: entries point into `values` and `exposures` by index. */
export interface InitV2ClientInitializeResponse {
  feature_gates: Record<string, JsonObject>;
  dynamic_configs: Record<string, JsonObject>;
  layer_configs: Record<string, JsonObject>;
  param_stores: JsonObject;
  time: number;
  has_updates: true;
  hash_used: HashMode;
  user: JsonObject;
  sdkInfo: { sdkType: string; sdkVersion: string };
  sdkParams: JsonObject;
  evaluated_keys: { userID?: string | number; customIDs?: Record<string, string> };
  exposures: Record<string, { gate: string; gateValue: string; ruleID: string }>;
  values: Record<string, JsonObject>;
  response_format: 'init-v2';
  [key: string]: unknown;
}

type ResponseOf<O> = O extends { format: 'init-v2' } ? InitV2ClientInitializeResponse : ClientInitializeResponse;

const HASHES = new Set<string>(['djb2', 'sha256', 'none']);
const FORMATS = new Set<string>(PAYLOAD_FORMATS);
const ECHOES = new Set<string>(['full', 'minimal']);

function checkRender(opts: RenderOptions): void {
  if (opts.format !== undefined && !FORMATS.has(opts.format)) {
    throw new InvalidOptionError(`firstlight: format must be 'v1' or 'init-v2', got ${String(opts.format)}`);
  }
  if (opts.hash !== undefined && !HASHES.has(opts.hash)) {
    throw new InvalidOptionError(`firstlight: hash must be 'djb2', 'sha256' or 'none', got ${String(opts.hash)}`);
  }
  if (opts.userEcho !== undefined && !ECHOES.has(opts.userEcho)) {
    throw new InvalidOptionError(`firstlight: userEcho must be 'full' or 'minimal', got ${String(opts.userEcho)}`);
  }
  if (opts.only !== undefined && !Array.isArray(opts.only)) {
    throw new InvalidOptionError('firstlight: only must be an array of entity names');
  }
}

/** Renders the bootstrap from an Evaluation without evaluating anything twice. */
export function clientInitializeResponseJSONFromEvaluation(evaluation: Evaluation, opts: RenderOptions = {}): string {
  checkRender(opts);
  if (opts.clientKey !== undefined && opts.clientKey !== evaluation.clientKey) {
    throw new InvalidOptionError('firstlight: clientKey differs from the one the evaluation was made for (target_app conditions depend on it)');
  }
  return write(evaluation, opts.format, {
    hash: opts.hash ?? 'djb2',
    only: opts.only ?? evaluation.only,
    userEcho: opts.userEcho ?? 'full',
  });
}

function write(ev: Evaluation, format: PayloadFormat | undefined, opts: WriteOptions): string {
  return format === 'init-v2' ? writeInitV2Response(ev, opts) : writeClientInitializeResponse(ev, opts);
}

export function clientInitializeResponseFromEvaluation<O extends RenderOptions>(evaluation: Evaluation, opts?: O): ResponseOf<O> {
  return JSON.parse(clientInitializeResponseJSONFromEvaluation(evaluation, opts)) as ResponseOf<O>;
}

/** The bootstrap as a JSON string, written directly (the fast path a server sends). */
export function clientInitializeResponseJSON(
  specs: Specs,
  user: unknown,
  opts: ClientInitializeResponseOptions = {},
): string {
  checkRender(opts);
  const ev = evaluateAll(specs, user, opts);
  return write(ev, opts.format, {
    hash: opts.hash ?? 'djb2',
    only: opts.only,
    userEcho: opts.userEcho ?? 'full',
  });
}

/** The bootstrap as an object (parsed from the string, so both agree byte for byte). */
export function clientInitializeResponse<O extends ClientInitializeResponseOptions>(
  specs: Specs,
  user: unknown,
  opts?: O,
): ResponseOf<O> {
  return JSON.parse(clientInitializeResponseJSON(specs, user, opts)) as ResponseOf<O>;
}
