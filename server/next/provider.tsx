'use client';
/**
 * Browser side of the bootstrap: @statsig/js-client constructed with exactly `cir.user`, fed the
 * server's payload synchronously (dataAdapter.setData + initializeSync), so the first render — on
 * the server and during hydration — reads the same values with reason `Bootstrap:Recognized`.
 * Every SDK endpoint points at this origin, so nothing leaves it.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LogLevel, StatsigClient, StatsigProvider, type StatsigOptions, type StatsigUser } from '@statsig/react-bindings';

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
  children: ReactNode;
}

function clientOptions(apiBase: string, user: StatsigUser): StatsigOptions {
  return {
    networkConfig: {
      api: apiBase,
      logEventUrl: `${apiBase}/rgstr`,
      initializeUrl: `${apiBase}/initialize`,
      sdkExceptionUrl: `${apiBase}/sdk_exception`,
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

function createClient(clientKey: string, bootstrap: string, apiBase: string): StatsigClient {
  const isBrowser = typeof document !== 'undefined';
  const existing = isBrowser ? browserClients.get(clientKey) : undefined;
  if (existing) return existing;
  const user = userOf(bootstrap);
  const client = new StatsigClient(clientKey, user, clientOptions(apiBase, user));
  client.dataAdapter.setData(bootstrap);
  client.initializeSync();
  if (isBrowser) browserClients.set(clientKey, client);
  return client;
}

/** Switch the running client to a new bootstrap (login, logout, cookie reconciliation). */
export function applyBootstrap(client: StatsigClient, bootstrap: string): void {
  client.dataAdapter.setData(bootstrap);
  client.updateUserSync(userOf(bootstrap));
}

export function FirstlightProvider({
  clientKey,
  bootstrap,
  apiBase = '/api/statsig',
  children,
}: FirstlightProviderProps) {
  const [client] = useState(() => createClient(clientKey, bootstrap, apiBase));
  const applied = useRef(bootstrap);

  // A new bootstrap from the server (e.g. router.refresh() after login) replaces the user.
  useEffect(() => {
    if (applied.current === bootstrap) return;
    applied.current = bootstrap;
    applyBootstrap(client, bootstrap);
  }, [client, bootstrap]);

  // Two first requests racing: the browser kept the other response's cookie. Adopt the cookie's ID
  // so cookie, localStorage and events agree on one device ID from here on.
  useEffect(() => {
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

  return <StatsigProvider client={client}>{children}</StatsigProvider>;
}
