/**
 * Optional peer dependencies (ioredis, the gRPC packages) are imported when a feature that needs them
 * starts, never at module load: `firstlight` must load, and an app's bundler must build, without them.
 * A missing one becomes MissingPackageError naming what to install; any other load failure (a broken
 * install, a syntax error inside the package) is passed on as it is.
 */
import { MissingPackageError } from '../lib/errors';

function isNotFound(err: unknown, pkg: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND')) return false;
  // a package that is present but misses one of its own dependencies is a different problem
  return typeof e.message !== 'string' || e.message.includes(`'${pkg}'`) || e.message.includes(`"${pkg}"`);
}

/** `import()` of each package; MissingPackageError when any of them is not installed. */
export async function importOptional<T extends readonly unknown[]>(
  feature: string,
  packages: { readonly [K in keyof T]: string },
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = packages.filter((p) => isNotFound(err, p));
    if (missing.length === 0) throw err;
    const plural = packages.length > 1;
    throw new MissingPackageError(
      `firstlight: ${feature} needs the optional package${plural ? 's' : ''} ${packages.join(', ')}` +
        `${plural ? ` (${missing.join(', ')} not installed)` : ', which is not installed'}: npm install ${packages.join(' ')}`,
      missing,
      { cause: err },
    );
  }
}

/** CommonJS packages: the namespace's default is the module itself. */
export function cjsDefault<T>(m: T): T {
  return ((m as { default?: T }).default ?? m) as T;
}
