/**
 * The page bootstrap's options of getRequestFlags()/getBootstrap(): `only` (the entities the page's
 * client components read) and `format` ('v1' or 'init-v2'). Checked with zod once per options object,
 * so a wrong value fails the render with a message naming it, instead of an empty bootstrap and a
 * bare "flags unavailable".
 */
import { z } from 'zod';
import { InvalidOptionError } from '../../lib/errors';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../lib/payload-format';

/** How many names `only` may list (a page reads a handful; a project has a few thousand entities at most). */
export const MAX_ONLY_NAMES = 10_000;

const schema = z.object({
  only: z
    .array(z.string({ error: 'must be entity names (strings)' }).min(1, 'must not be an empty name').max(1024, 'must be a name of at most 1024 characters'), {
      error: 'must be an array of entity names',
    })
    .max(MAX_ONLY_NAMES, `must list at most ${MAX_ONLY_NAMES} names`)
    .optional(),
  format: z.enum(PAYLOAD_FORMATS, { error: "must be 'v1' or 'init-v2'" }).optional(),
});

export interface BootstrapOptions {
  readonly only?: readonly string[];
  readonly format?: PayloadFormat;
}

const checked = new WeakMap<object, BootstrapOptions>();

/** `only` and `format` of these options, validated (a frozen copy of `only`); throws InvalidOptionError. */
export function bootstrapOptionsOf(opts: { only?: unknown; format?: unknown }): BootstrapOptions {
  let r = checked.get(opts);
  if (r !== undefined) return r;
  const parsed = schema.safeParse({ only: opts.only, format: opts.format });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new InvalidOptionError(`firstlight: getRequestFlags()/getBootstrap() options: ${issues}`);
  }
  const { only, format } = parsed.data;
  r = Object.freeze({ ...(only !== undefined ? { only: Object.freeze(only) } : {}), ...(format !== undefined ? { format } : {}) });
  checked.set(opts, r);
  return r;
}
