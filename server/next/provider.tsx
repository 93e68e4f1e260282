'use client';
/**
 * Browser side of the bootstrap: @statsig/js-client constructed with exactly `cir.user`, fed the
 * server's payload synchronously (dataAdapter.setData + initializeSync), so the first render — on
 * the server and during hydration — reads the same values with reason `Bootstrap:Recognized`.
 * Every SDK endpoint points at this origin, so nothing leaves it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { LogLevel, StatsigClient, StatsigProvider, type StatsigOptions, type StatsigUser } from '@statsig/react-bindings';
import type { ConsentState } from './consent';

export interface FirstlightProviderProps {
  clientKey: string;
  /** The client initialize response JSON string from getBootstrap(). */
  bootstrap: string;
  /**
   * Base path of the catch-all route (createRouteHandlers); every URL the client calls derives from
   * it: events, initialize, sdk_exception and the fresh bootstrap (`<apiBase>/bootstrap`).
   * @default '/api/statsig'
   */
  apiBase?: string;
  /**
   * Consent mode (from getBootstrap()): until the visitor consented, the browser SDK stores nothing
   * (no stable ID in localStorage or a cookie) and sends no event; useConsent() grants or revokes.
   */
  consent?: ConsentState;
  children: ReactNode;
}

/** What a visitor without consent gets: nothing stored, nothing sent (events are kept in memory and dropped on grant). */
const WITHOUT_CONSENT_OPTIONS = { loggingEnabled: 'disabled', disableStorage: true } as const;

/** A client's consent, read by its network hook on every request (consent mode only). */
interface ConsentHolder {
  granted: boolean;
}

/**
 * Consent mode's network hook: without consent an event batch (or SDK error report) is answered 202
 * here and never sent.
 * js-client 3.33 keeps exposures back while logging is 'disabled', but still flushes its
 * `statsig::non_exposed_checks` summary (carrying the stable ID) through the batch queue.
 */
function consentAwareFetch(apiBase: string, holder: ConsentHolder) {
  // an SDK error report carries the stable ID too
  const eventPaths = new Set([`${apiBase}/rgstr`, `${apiBase}/log_event`, `${apiBase}/sdk_exception`]);
  return (url: string, args: RequestInit): Promise<Response> => {
    if (!holder.granted && eventPaths.has(new URL(url, location.href).pathname)) {
      return Promise.resolve(new Response('{"success":true,"dropped":"no consent"}', { status: 202 }));
    }
    return fetch(url, args);
  };
}

function clientOptions(apiBase: string, user: StatsigUser, consent: ConsentHolder | null): StatsigOptions {
  return {
    ...(consent === null || consent.granted ? {} : WITHOUT_CONSENT_OPTIONS),
    networkConfig: {
      api: apiBase,
      logEventUrl: `${apiBase}/rgstr`,
      initializeUrl: `${apiBase}/initialize`,
      sdkExceptionUrl: `${apiBase}/sdk_exception`,
      ...(consent === null || typeof document === 'undefined' ? {} : { networkOverrideFunc: consentAwareFetch(apiBase, consent) }),
    },
    disableStatsigEncoding: true,
    // server renders of anonymous users would otherwise warn about the missing userID per entity
    logLevel: LogLevel.Error,
    // the tier travels inside cir.user; setting it again keeps both sides identical
    ...(tierOf(user) ? { environment: { tier: tierOf(user)! } } : {}),
  };
}

function tierOf(user: StatsigUser): string | undefined {
  const env = (user as { statsigEnvironment?: { tier?: unknown } }).statsigEnvironment;
  return typeof env?.tier === 'string' ? env.tier : undefined;
}

function userOf(bootstrap: string): StatsigUser {
  return (JSON.parse(bootstrap) as { user: StatsigUser }).user;
}

function stableIdOf(user: StatsigUser): string | undefined {
  const v = user.customIDs?.stableID;
  return typeof v === 'string' ? v : undefined;
}

function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function cookieName(clientKey: string): string {
  let h = 0;
  const s = 'k:' + clientKey;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return `statsig.stable_id.${h >>> 0}`;
}

/** One client per page in the browser; a fresh one per render on the server. */
const browserClients = new Map<string, StatsigClient>();

/** Whether each client runs with consent (absent: consent mode is off for it). */
const clientConsent = new WeakMap<StatsigClient, ConsentHolder>();

function createClient(clientKey: string, bootstrap: string, apiBase: string, consent: ConsentState | undefined): StatsigClient {
  const isBrowser = typeof document !== 'undefined';
  const existing = isBrowser ? browserClients.get(clientKey) : undefined;
  if (existing) return existing;
  const user = userOf(bootstrap);
  const holder = consent ? { granted: consent.granted } : null;
  const client = new StatsigClient(clientKey, user, clientOptions(apiBase, user, holder));
  if (holder) clientConsent.set(client, holder);
  setBootstrapData(client, bootstrap, user);
  client.initializeSync();
  if (isBrowser) browserClients.set(clientKey, client);
  return client;
}

/** js-client's queue of events logged while logging was off (EventLogger._getStorageKey). */
function pendingEventsKey(clientKey: string): string {
  let h = 0;
  for (let i = 0; i < clientKey.length; i++) h = ((h << 5) - h + clientKey.charCodeAt(i)) | 0;
  return `statsig.pending_events.${h >>> 0}`;
}

/**
 * Switch the client's consent mode. Granting first drops what js-client queued while logging was
 * off (it would otherwise send those exposures, made for the per-request ID, the moment logging is
 * on), then turns storage and logging on. Revoking turns both off and removes what the SDK stored on
 * this device: the stable-ID cookie and its localStorage entries.
 */
async function setClientConsent(client: StatsigClient, clientKey: string, granted: boolean): Promise<void> {
  const holder = clientConsent.get(client);
  if (holder === undefined || holder.granted === granted) return;
  holder.granted = granted;
  if (granted) {
    client.storageProvider.removeItem(pendingEventsKey(clientKey));
    client.updateRuntimeOptions({ disableStorage: false });
    client.updateRuntimeOptions({ loggingEnabled: 'browser-only' });
    return;
  }
  client.updateRuntimeOptions({ loggingEnabled: 'disabled' });
  client.updateRuntimeOptions({ disableStorage: true });
  forgetDevice(clientKey);
}

function forgetDevice(clientKey: string): void {
  if (typeof document === 'undefined') return;
  document.cookie = `${cookieName(clientKey)}=; Path=/; Max-Age=0; SameSite=Lax`;
  try {
    for (const key of Object.keys(window.localStorage)) if (key.startsWith('statsig.')) window.localStorage.removeItem(key);
  } catch {
    // storage blocked: nothing was stored there either
  }
}

function writeConsentCookie(name: string, value: string): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${name}=${value}; Path=/; Max-Age=${365 * 24 * 3600}; SameSite=Lax${secure}`;
}

/** What useConsent() gives a banner. */
export interface ConsentControls {
  /** false when the app runs without consent mode (every other field is then inert). */
  readonly required: boolean;
  readonly granted: boolean;
  /**
   * The visitor said yes: writes the consent cookie (cookie mode), then fetches the bootstrap for the
   * device ID the server now mints, and switches the SDK to it. With a consent callback, update the
   * site's own consent state first; grant() then only re-asks the server.
   */
  grant(): Promise<void>;
  /** The visitor said no (or withdrew): no further events, the device ID and its storage removed. */
  revoke(): Promise<void>;
  /** Ask the server again (after the site's own consent state changed, callback mode). */
  refresh(): Promise<void>;
}

const NO_CONSENT_MODE: ConsentControls = Object.freeze({
  required: false,
  granted: true,
  grant: async () => {},
  revoke: async () => {},
  refresh: async () => {},
});

const ConsentContext = createContext<ConsentControls>(NO_CONSENT_MODE);

/** Grant, revoke and read the visitor's consent inside <FirstlightProvider consent={…}>. */
export function useConsent(): ConsentControls {
  return useContext(ConsentContext);
}

/** Header of GET <apiBase>/bootstrap in consent mode: what the server decided for that request. */
export const CONSENT_HEADER = 'x-firstlight-consent';

/** Switch the running client to a new bootstrap (login, logout, cookie reconciliation). */
export function applyBootstrap(client: StatsigClient, bootstrap: string): void {
  const user = userOf(bootstrap);
  setBootstrapData(client, bootstrap, user);
  client.updateUserSync(user);
}

/**
 * dataAdapter.setData(bootstrap) with the user already read from it: setData would parse the whole
 * payload once more only to find `cir.user` (setDataLegacy is the same call with the user given).
 * js-client parses it twice more in initializeSync/updateUserSync; on the server every render pays
 * these parses, so one fewer is a quarter of the SDK's share of a page with a large bootstrap.
 */
function setBootstrapData(client: StatsigClient, bootstrap: string, user: StatsigUser): void {
  client.dataAdapter.setDataLegacy(bootstrap, user);
}

export function FirstlightProvider({
  clientKey,
  bootstrap,
  apiBase = '/api/statsig',
  consent,
  children,
}: FirstlightProviderProps) {
  const [client] = useState(() => createClient(clientKey, bootstrap, apiBase, consent));
  const applied = useRef(bootstrap);
  const [granted, setGranted] = useState(consent?.granted ?? true);

  // A new bootstrap from the server (e.g. router.refresh() after login) replaces the user; in consent
  // mode it may also carry another answer (granted or revoked elsewhere): the mode switches first.
  useEffect(() => {
    if (applied.current === bootstrap) return;
    applied.current = bootstrap;
    void (async () => {
      if (consent) {
        await setClientConsent(client, clientKey, consent.granted);
        setGranted(consent.granted);
      }
      applyBootstrap(client, bootstrap);
    })();
  }, [client, clientKey, bootstrap, consent]);

  const refresh = useCallback(async () => {
    const res = await fetch(`${apiBase}/bootstrap`, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
    if (!res.ok) return;
    const verdict = res.headers.get(CONSENT_HEADER);
    const text = await res.text();
    if (verdict !== 'granted' && verdict !== 'denied') return;
    await setClientConsent(client, clientKey, verdict === 'granted');
    setGranted(verdict === 'granted');
    applied.current = text;
    applyBootstrap(client, text);
  }, [client, clientKey, apiBase]);

  const controls = useMemo<ConsentControls>(() => {
    if (!consent) return NO_CONSENT_MODE;
    return {
      required: true,
      granted,
      async grant() {
        if (consent.cookie) writeConsentCookie(consent.cookie, consent.grantedValue ?? 'granted');
        await refresh();
      },
      async revoke() {
        // what was logged with consent still goes out; nothing logged from here on does
        await client.flush().catch(() => {});
        await setClientConsent(client, clientKey, false);
        setGranted(false);
        if (consent.cookie) writeConsentCookie(consent.cookie, 'denied');
        await refresh();
      },
      refresh,
    };
  }, [client, clientKey, consent, granted, refresh]);

  // Two first requests racing: the browser kept the other response's cookie. Adopt the cookie's ID
  // so cookie, localStorage and events agree on one device ID from here on.
  useEffect(() => {
    if (clientConsent.get(client)?.granted === false) return;
    const cookieId = readCookie(cookieName(clientKey));
    if (!cookieId || cookieId === stableIdOf(userOf(applied.current))) return;
    let cancelled = false;
    fetch(`${apiBase}/bootstrap`, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then((r) => (r.ok ? r.text() : null))
      .then((text) => {
        if (cancelled || !text) return;
        if (stableIdOf(userOf(text)) !== cookieId) return;
        applied.current = text;
        applyBootstrap(client, text);
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [client, clientKey, apiBase]);

  return (
    <ConsentContext.Provider value={controls}>
      <StatsigProvider client={client}>{children}</StatsigProvider>
    </ConsentContext.Provider>
  );
}
