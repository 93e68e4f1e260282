/**
 * Runtime settings of the Next.js integration, read from the environment once per process.
 * Defaults serve the bundled demo (data/demo-dcs.json) with no configuration at all.
 */

export type UserEcho = 'full' | 'minimal';

export interface NextIntegrationConfig {
  /** Client SDK key handed to @statsig/js-client; also names the stable-ID cookie. */
  readonly clientKey: string;
  /** Every client key accepted on the event and initialize routes (`k` query). */
  readonly acceptedClientKeys: readonly string[];
  /** Server secret. Only ever used on the server; never rendered. */
  readonly serverSecret: string;
  /** Header carrying the client IP, set by a proxy you trust. null = no header is trusted. */
  readonly trustedIpHeader: string | null;
  /** Bearer token for POST /api/bootstrap. null = server-to-server bootstrap disabled. */
  readonly bootstrapToken: string | null;
  /** What of the user the page bootstrap echoes back (and therefore what lands in the HTML). */
  readonly userEcho: UserEcho;
  /** Cookie holding the signed-in user's ID (the demo's stand-in for a session). */
  readonly loginCookie: string;
  /** Statsig environment tier, when set. */
  readonly environment: string | null;
}

const DEMO_CLIENT_KEY = 'client-firstlight-demo';
const DEMO_SERVER_SECRET = 'secret-demo';

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

let cached: NextIntegrationConfig | null = null;

export function nextConfig(): NextIntegrationConfig {
  if (cached) return cached;
  const clientKey = env('FIRSTLIGHT_CLIENT_KEY') ?? DEMO_CLIENT_KEY;
  const extraKeys = (env('FIRSTLIGHT_CLIENT_KEYS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const echo = env('FIRSTLIGHT_USER_ECHO');
  const header = env('FIRSTLIGHT_TRUSTED_IP_HEADER');
  cached = {
    clientKey,
    acceptedClientKeys: [...new Set([clientKey, ...extraKeys])],
    serverSecret: env('STATSIG_SERVER_SECRET') ?? env('FIRSTLIGHT_SERVER_SECRET') ?? DEMO_SERVER_SECRET,
    trustedIpHeader: header ? header.toLowerCase() : null,
    bootstrapToken: env('FIRSTLIGHT_BOOTSTRAP_TOKEN') ?? null,
    userEcho: echo === 'full' ? 'full' : 'minimal',
    loginCookie: env('FIRSTLIGHT_LOGIN_COOKIE') ?? 'fl_user',
    environment: env('FIRSTLIGHT_ENVIRONMENT') ?? null,
  };
  return cached;
}
