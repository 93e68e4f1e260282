/**
 * The evaluation explorer's data (the demo renders it at /explore): for a pasted user, every gate,
 * dynamic config, experiment and layer with its value, rule, group, reason, secondary exposures,
 * where the user falls in each rule's pass percentage and each bucket split's group shares; and the
 * diff of two users, or of the specs in force against a pasted or uploaded version. Off unless
 * FIRSTLIGHT_EXPLORER_TOKEN is set (at least 16 characters); every request must present that token.
 * Nothing is logged: peek reads only, and other specs are evaluated on a snapshot that logs nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidOptionError, SpecParseError } from '../../lib/errors';
import { diffOutcomes, parseSpecs, type BucketSplit, type EntityOutcome, type EvaluationDiff, type RuleAllocation, type Specs } from '../../lib/index';
import type { JsonValue, SecondaryExposure, StatsigUser } from '../../lib/types';
import { jsonTextDepthExceeds } from '../net/json-depth';
import type { EvaluationSnapshot } from '../snapshot';
import { getStatsig } from './instance';

export const MIN_EXPLORER_TOKEN_LENGTH = 16;
/** A pasted user larger than this is refused (it is a query parameter). */
export const MAX_EXPLORER_USER_BYTES = 8_192;
/**
 * Pasted or uploaded specs larger than this are refused before they are read. The demo lets server
 * actions carry 5 MB (next.config.mjs), so this check, not Next's, answers an oversized upload.
 */
export const MAX_EXPLORER_SPECS_BYTES = 4 * 1024 * 1024;
/** Return values nest; a payload deeper than this is refused before JSON.parse (the schema recurses). */
const MAX_SPECS_DEPTH = 64;

const tokenSchema = z
  .string()
  .trim()
  .min(MIN_EXPLORER_TOKEN_LENGTH, `must be at least ${MIN_EXPLORER_TOKEN_LENGTH} characters`)
  .max(512, 'must be at most 512 characters')
  .refine((s) => /^\S+$/.test(s), 'must not contain spaces');

/** The configured token, or null (explorer off). A bad value throws InvalidOptionError without echoing it. */
export function explorerToken(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const raw = env.FIRSTLIGHT_EXPLORER_TOKEN;
  if (raw === undefined || raw.trim() === '') return null;
  const parsed = tokenSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidOptionError(`firstlight: invalid environment: FIRSTLIGHT_EXPLORER_TOKEN ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export function explorerEnabled(): boolean {
  return explorerToken() !== null;
}

export type ExplorerKind = 'gate' | 'config' | 'experiment' | 'layer';

export interface ExplorerRow {
  readonly kind: ExplorerKind;
  readonly name: string;
  readonly value: JsonValue;
  readonly ruleID: string;
  readonly groupName: string | null;
  readonly reason: string;
  readonly secondaryExposures: readonly SecondaryExposure[];
  /** Layers: the experiment that set the parameters. */
  readonly allocatedExperiment: string | null;
  /** Every rule of the entity, with the user's bucket in it; `matched` is the index of the rule that decided (-1: none). */
  readonly rules: readonly RuleAllocation[];
  readonly matched: number;
  /** The rules that test one user_bucket, as splits of the 1000 buckets: each group's share and the user's bucket. */
  readonly splits: readonly BucketSplit[];
}

/** Two evaluations side by side: A and B are two users on the specs in force, or one user on two spec versions. */
export interface ExplorerDiff {
  readonly mode: 'users' | 'specs';
  readonly labelA: string;
  readonly labelB: string;
  readonly lcutA: number;
  readonly lcutB: number;
  readonly diff: EvaluationDiff<EntityOutcome>;
}

export type ExplorerView =
  | { readonly kind: 'off' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'invalid'; readonly message: string; readonly userText: string; readonly userText2: string }
  | {
      readonly kind: 'ready';
      readonly user: StatsigUser;
      readonly userText: string;
      /** The second user of a users diff, as pasted ('' when none). */
      readonly userText2: string;
      readonly lcut: number;
      readonly rows: readonly ExplorerRow[];
      readonly diff: ExplorerDiff | null;
    };

/** What the spec-version diff form gets back (a server action's state: plain data). */
export type ExplorerSpecsDiff =
  | { readonly kind: 'idle' }
  | { readonly kind: 'off' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'invalid'; readonly message: string }
  | ({ readonly kind: 'ready' } & ExplorerDiff);

const userSchema = z
  .string()
  .max(MAX_EXPLORER_USER_BYTES, `the user must be at most ${MAX_EXPLORER_USER_BYTES} characters of JSON`)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'the user is not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown(), { error: 'the user must be a JSON object, e.g. {"userID":"alice"}' }));

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function one(v: unknown): string | undefined {
  return Array.isArray(v) ? (typeof v[0] === 'string' ? v[0] : undefined) : typeof v === 'string' ? v : undefined;
}

function parseUser(text: string): { ok: true; user: StatsigUser } | { ok: false; message: string } {
  const parsed = userSchema.safeParse(text);
  return parsed.success ? { ok: true, user: parsed.data as StatsigUser } : { ok: false, message: parsed.error.issues[0]!.message };
}

type Peeked = { value: unknown; ruleID: string; groupName: string | null; secondaryExposures: readonly SecondaryExposure[]; details: { reason: string } };

/** Calls `visit` for every entity of the snapshot's specs, in the page's order (peek reads: no exposure). */
function eachEntity(
  snap: EvaluationSnapshot,
  visit: (kind: ExplorerKind, name: string, r: Peeked, allocatedExperiment: string | null) => void,
): void {
  const names = snap.entityNames();
  for (const name of names.gates) visit('gate', name, snap.peekGate(name), null);
  for (const name of names.configs) visit('config', name, snap.peekConfig(name), null);
  for (const name of names.experiments) visit('experiment', name, snap.peekExperiment(name), null);
  for (const name of names.layers) {
    const l = snap.peekLayer(name);
    visit('layer', name, l, l.allocatedExperimentName);
  }
}

/** Every entity as an explorer row, with its rules and bucket splits. */
function rowsOf(snap: EvaluationSnapshot): ExplorerRow[] {
  const rows: ExplorerRow[] = [];
  eachEntity(snap, (kind, name, r, allocatedExperiment) => {
    const specKind = kind === 'experiment' ? 'config' : kind;
    const rules = snap.ruleAllocations(specKind, name);
    rows.push({
      kind,
      name,
      value: r.value as JsonValue,
      ruleID: r.ruleID,
      groupName: r.groupName,
      reason: r.details.reason,
      secondaryExposures: r.secondaryExposures,
      allocatedExperiment,
      rules,
      matched: rules.findIndex((a) => a.ruleID === r.ruleID),
      splits: snap.bucketSplits(specKind, name),
    });
  });
  return rows;
}

/** The diff compares outcomes only (the rows also carry rules and splits, which the page draws for side A). */
function outcomesOf(snap: EvaluationSnapshot): EntityOutcome[] {
  const out: EntityOutcome[] = [];
  eachEntity(snap, (kind, name, r, allocatedExperiment) =>
    out.push({ kind, name, value: r.value as JsonValue, ruleID: r.ruleID, groupName: r.groupName, reason: r.details.reason, allocatedExperiment }),
  );
  return out;
}

function describeUser(user: StatsigUser): string {
  const ids = [user.userID, ...Object.values(user.customIDs ?? {})].filter((v) => v !== undefined && v !== null && v !== '');
  return ids.length ? ids.map(String).join(' · ').slice(0, 80) : 'user without IDs';
}

/**
 * What the explorer page shows for these query parameters: `token`, `user` (the user's JSON) and, for
 * a diff of two users, `user2`.
 */
export async function explorerView(query: { readonly token?: unknown; readonly user?: unknown; readonly user2?: unknown }): Promise<ExplorerView> {
  const expected = explorerToken();
  if (expected === null) return { kind: 'off' };
  const token = one(query.token);
  if (token === undefined || !tokenMatches(token, expected)) return { kind: 'denied' };
  const userText = one(query.user) ?? '{"userID":"alice"}';
  const userText2 = (one(query.user2) ?? '').trim() === '' ? '' : one(query.user2)!;
  const shown = (t: string) => t.slice(0, MAX_EXPLORER_USER_BYTES);
  const a = parseUser(userText);
  if (!a.ok) return { kind: 'invalid', message: a.message, userText: shown(userText), userText2: shown(userText2) };
  const b = userText2 === '' ? null : parseUser(userText2);
  if (b && !b.ok) return { kind: 'invalid', message: `second user: ${b.message}`, userText: shown(userText), userText2: shown(userText2) };
  const statsig = await getStatsig();
  const snap = statsig.evaluateAll(a.user);
  let diff: ExplorerDiff | null = null;
  if (b && b.ok) {
    const snap2 = statsig.evaluateAll(b.user);
    diff = { mode: 'users', labelA: describeUser(snap.user), labelB: describeUser(snap2.user), lcutA: snap.lcut, lcutB: snap2.lcut, diff: diffOutcomes(outcomesOf(snap), outcomesOf(snap2)) };
  }
  return { kind: 'ready', user: snap.user, userText, userText2, lcut: snap.lcut, rows: rowsOf(snap), diff };
}

/** A FormData-like input: the form's fields (`token`, `user`, `specs` text) and an optional `specsFile` upload. */
export interface ExplorerSpecsForm {
  get(name: string): unknown;
}

interface UploadLike {
  readonly size: number;
  text(): Promise<string>;
}

function isUpload(v: unknown): v is UploadLike {
  return typeof v === 'object' && v !== null && typeof (v as UploadLike).size === 'number' && typeof (v as UploadLike).text === 'function';
}

function tooLarge(bytes: number): string {
  return `the specs must be at most ${MAX_EXPLORER_SPECS_BYTES} bytes (${(MAX_EXPLORER_SPECS_BYTES / 1024 / 1024).toFixed(0)} MiB); these are ${bytes}`;
}

/**
 * The spec-version diff: the form's user evaluated on the specs in force (A) and on the pasted or
 * uploaded download_config_specs JSON (B, validated by parseSpecs; at most MAX_EXPLORER_SPECS_BYTES).
 * B is parsed with A's source so that reasons differ only where evaluation does.
 */
export async function explorerSpecsDiff(form: ExplorerSpecsForm): Promise<ExplorerSpecsDiff> {
  const expected = explorerToken();
  if (expected === null) return { kind: 'off' };
  const token = one(form.get('token'));
  if (token === undefined || !tokenMatches(token, expected)) return { kind: 'denied' };
  const a = parseUser(one(form.get('user')) ?? '{"userID":"alice"}');
  if (!a.ok) return { kind: 'invalid', message: a.message };
  const file = form.get('specsFile');
  let text: string;
  if (isUpload(file) && file.size > 0) {
    if (file.size > MAX_EXPLORER_SPECS_BYTES) return { kind: 'invalid', message: tooLarge(file.size) };
    text = await file.text();
  } else {
    text = one(form.get('specs')) ?? '';
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EXPLORER_SPECS_BYTES) return { kind: 'invalid', message: tooLarge(bytes) };
  if (text.trim() === '') return { kind: 'invalid', message: 'paste or upload a download_config_specs JSON to compare with the specs in force' };
  if (jsonTextDepthExceeds(text, MAX_SPECS_DEPTH)) return { kind: 'invalid', message: `the specs are nested deeper than ${MAX_SPECS_DEPTH} levels` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', message: `the specs are not valid JSON: ${(e as Error).message.slice(0, 200)}` };
  }
  const statsig = await getStatsig();
  const snap = statsig.evaluateAll(a.user);
  let specs: Specs;
  try {
    specs = parseSpecs(json, { source: snap.specsSource ?? 'Bootstrap' });
  } catch (e) {
    if (e instanceof SpecParseError) return { kind: 'invalid', message: `the specs are not a valid download_config_specs payload: ${e.message.slice(0, 300)}` };
    throw e;
  }
  const other = snap.withSpecs(specs);
  const stamp = (lcut: number) => (lcut > 0 ? new Date(lcut).toISOString() : 'no time');
  return {
    kind: 'ready',
    mode: 'specs',
    labelA: `specs in force (${stamp(snap.lcut)})`,
    labelB: `pasted specs (${stamp(specs.lcut)})`,
    lcutA: snap.lcut,
    lcutB: specs.lcut,
    diff: diffOutcomes(outcomesOf(snap), outcomesOf(other)),
  };
}
