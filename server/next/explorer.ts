/**
 * The evaluation explorer's data (the demo renders it at /explore): for a pasted user, every gate,
 * dynamic config, experiment and layer with its value, rule, group, reason, secondary exposures, and
 * where the user falls in each rule's pass percentage. Off unless FIRSTLIGHT_EXPLORER_TOKEN is set
 * (at least 16 characters); every request must present that token. Nothing is logged: peek reads only.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import type { RuleAllocation } from '../../lib/index';
import type { JsonValue, SecondaryExposure, StatsigUser } from '../../lib/types';
import { getStatsig } from './instance';

export const MIN_EXPLORER_TOKEN_LENGTH = 16;
/** A pasted user larger than this is refused (it is a query parameter). */
export const MAX_EXPLORER_USER_BYTES = 8_192;

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
}

export type ExplorerView =
  | { readonly kind: 'off' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'invalid'; readonly message: string; readonly userText: string }
  | { readonly kind: 'ready'; readonly user: StatsigUser; readonly userText: string; readonly lcut: number; readonly rows: readonly ExplorerRow[] };

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

/** What the explorer page shows for these query parameters (`token`, `user`: the user's JSON). */
export async function explorerView(query: { readonly token?: unknown; readonly user?: unknown }): Promise<ExplorerView> {
  const expected = explorerToken();
  if (expected === null) return { kind: 'off' };
  const token = one(query.token);
  if (token === undefined || !tokenMatches(token, expected)) return { kind: 'denied' };
  const userText = one(query.user) ?? '{"userID":"alice"}';
  const parsed = userSchema.safeParse(userText);
  if (!parsed.success) return { kind: 'invalid', message: parsed.error.issues[0]!.message, userText: userText.slice(0, MAX_EXPLORER_USER_BYTES) };
  const user = parsed.data as StatsigUser;
  const statsig = await getStatsig();
  const snap = statsig.evaluateAll(user);
  const names = snap.entityNames();
  const rows: ExplorerRow[] = [];
  const row = (kind: ExplorerKind, name: string, r: { value: unknown; ruleID: string; groupName: string | null; secondaryExposures: readonly SecondaryExposure[]; details: { reason: string } }, allocatedExperiment: string | null = null) => {
    const rules = snap.ruleAllocations(kind === 'experiment' ? 'config' : kind, name);
    rows.push({ kind, name, value: r.value as JsonValue, ruleID: r.ruleID, groupName: r.groupName, reason: r.details.reason, secondaryExposures: r.secondaryExposures, allocatedExperiment, rules, matched: rules.findIndex((a) => a.ruleID === r.ruleID) });
  };
  for (const name of names.gates) row('gate', name, snap.peekGate(name));
  for (const name of names.configs) row('config', name, snap.peekConfig(name));
  for (const name of names.experiments) row('experiment', name, snap.peekExperiment(name));
  for (const name of names.layers) {
    const l = snap.peekLayer(name);
    row('layer', name, l, l.allocatedExperimentName);
  }
  return { kind: 'ready', user: snap.user, userText, lcut: snap.lcut, rows };
}
