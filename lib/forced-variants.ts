/**
 * Forced variants: what a test or a developer asks one browser to see — gate values, experiment
 * groups (by group name), dynamic config values and layer parameters — turned into local overrides
 * for one evaluation. Pure: the signature that makes a request's forced variants trustworthy is
 * checked on the server (server/forced/forced-token.ts); this module only validates the payload's
 * shape and resolves group names against the specs.
 */
import { z } from 'zod';
import type { Specs } from './spec/compiled';
import type { JsonObject } from './types';
import { emptyOverrides, setOverride, type LocalOverrides } from './overrides';
import type { AssertSame, Check } from './type-assert';

/** Where a request carries the token (firstlight/testing sets either). */
export const FORCE_COOKIE = 'firstlight_force';
export const FORCE_HEADER = 'x-firstlight-force';
/** The HMAC key's minimum length (FIRSTLIGHT_FORCE_KEY). */
export const MIN_FORCE_KEY_LENGTH = 32;

const NAME = z.string().min(1).max(200);
const MAX_ENTRIES = 100;
const json: z.ZodType<unknown> = z.json();
const object = z.record(z.string().max(200), json);

/** The signed payload: `exp` is when it stops applying (Unix ms). */
export interface ForcedVariants {
  v: 1;
  exp: number;
  /** gate name → value */
  gates?: Record<string, boolean> | undefined;
  /** experiment name → group name */
  experiments?: Record<string, string> | undefined;
  /** dynamic config name → value */
  configs?: Record<string, Record<string, unknown>> | undefined;
  /** layer name → parameters laid over its value */
  layers?: Record<string, Record<string, unknown>> | undefined;
}

/** @internal */
export const forcedVariantsSchema = z
  .object({
    v: z.literal(1),
    exp: z.number().int().positive(),
    gates: z.record(NAME, z.boolean()).optional(),
    experiments: z.record(NAME, NAME).optional(),
    configs: z.record(NAME, object).optional(),
    layers: z.record(NAME, object).optional(),
  })
  .strict()
  .refine(
    (p) => Object.keys(p.gates ?? {}).length + Object.keys(p.experiments ?? {}).length + Object.keys(p.configs ?? {}).length + Object.keys(p.layers ?? {}).length <= MAX_ENTRIES,
    `at most ${MAX_ENTRIES} forced entities`,
  );

type _ForcedVariantsMatch = Check<AssertSame<ForcedVariants, z.infer<typeof forcedVariantsSchema>>>;
/** What a caller names: everything but the version and expiry. */
export type ForcedVariantsRequest = Omit<ForcedVariants, 'v' | 'exp'>;

export interface ResolvedForcedVariants {
  readonly overrides: LocalOverrides;
  /** The entities forced, as `kind:name`, in payload order. */
  readonly forced: readonly string[];
  /** What could not be applied (an unknown entity or group), as `kind:name` with the reason. */
  readonly ignored: readonly string[];
}

/**
 * The overrides a payload asks for on these specs. An experiment group is the value of the experiment's
 * rule with that group name; a layer's parameters are laid over the layer's default value. Unknown names
 * are reported in `ignored`, not guessed at.
 */
export function resolveForcedVariants(specs: Specs, p: ForcedVariantsRequest): ResolvedForcedVariants {
  let o = emptyOverrides();
  const forced: string[] = [];
  const ignored: string[] = [];
  const groups = new Map<string, string>();
  for (const [name, value] of Object.entries(p.gates ?? {})) {
    if (!specs.gates.has(name)) ignored.push(`gate:${name} (no such gate)`);
    else (o = setOverride(o, 'gate', name, value)), forced.push(`gate:${name}`);
  }
  for (const [name, group] of Object.entries(p.experiments ?? {})) {
    const spec = specs.configs.get(name);
    const rule = spec?.entity === 'experiment' ? spec.rules.find((r) => r.groupName === group && r.isExperimentGroup) : undefined;
    if (!spec || spec.entity !== 'experiment') ignored.push(`experiment:${name} (no such experiment)`);
    else if (!rule) ignored.push(`experiment:${name} (no group "${group}")`);
    else {
      o = setOverride(o, 'config', name, rule.returnValue.value as JsonObject);
      groups.set(name, group);
      forced.push(`experiment:${name}`);
    }
  }
  for (const [name, value] of Object.entries(p.configs ?? {})) {
    if (!specs.configs.has(name)) ignored.push(`config:${name} (no such config)`);
    else (o = setOverride(o, 'config', name, value as JsonObject)), groups.delete(name), forced.push(`config:${name}`);
  }
  for (const [name, params] of Object.entries(p.layers ?? {})) {
    const layer = specs.layers.get(name);
    if (!layer) ignored.push(`layer:${name} (no such layer)`);
    else (o = setOverride(o, 'layer', name, { ...(layer.defaultValue.value as JsonObject), ...(params as JsonObject) })), forced.push(`layer:${name}`);
  }
  return { overrides: groups.size ? Object.freeze({ ...o, groups }) : o, forced, ignored };
}
