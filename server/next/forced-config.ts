/**
 * The forced-variants settings (see forced-variants.ts), validated with zod: FIRSTLIGHT_FORCE_KEY, the
 * HMAC key tokens are signed with, and FIRSTLIGHT_FORCE_IN_PRODUCTION. Free of Node-only imports, since
 * config.ts's start-up check reaches it from the edge-safe entry points.
 */
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import { MIN_FORCE_KEY_LENGTH } from '../../lib/forced-variants';

export interface ForcedVariantsConfig {
  /** null: forced variants are off (why in `off`). */
  readonly key: string | null;
  readonly off: string | null;
}

const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be "true" or "false"' }).transform((v) => v === 'true' || v === '1');
const envSchema = z.object({
  FIRSTLIGHT_FORCE_KEY: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : v),
    z
      .string()
      .min(MIN_FORCE_KEY_LENGTH, `must be at least ${MIN_FORCE_KEY_LENGTH} characters`)
      .max(512, 'must be at most 512 characters')
      .refine((s) => /^\S+$/.test(s), 'must not contain spaces')
      .optional(),
  ),
  FIRSTLIGHT_FORCE_IN_PRODUCTION: z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), flag.optional()),
});

/** Reads the two variables; a bad value throws InvalidOptionError naming it (never echoing the key). */
export function readForcedVariantsConfig(env: Readonly<Record<string, string | undefined>> = process.env): ForcedVariantsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    throw new InvalidOptionError(`firstlight: invalid environment: ${[...new Set(problems)].join('; ')}`);
  }
  const { FIRSTLIGHT_FORCE_KEY: key, FIRSTLIGHT_FORCE_IN_PRODUCTION: inProduction } = parsed.data;
  if (!key) return { key: null, off: 'FIRSTLIGHT_FORCE_KEY is not set' };
  if (env.NODE_ENV === 'production' && !inProduction) return { key: null, off: 'NODE_ENV is production and FIRSTLIGHT_FORCE_IN_PRODUCTION is not true' };
  return { key, off: null };
}

let cached: ForcedVariantsConfig | null = null;

export function forcedVariantsConfig(): ForcedVariantsConfig {
  cached ??= readForcedVariantsConfig();
  return cached;
}

