import type { StatsigUser } from 'firstlight/core';
import type { IdentifyRequest } from 'firstlight/next';
import { LOGIN_COOKIE, USER_ID_RE } from './demo-session';

/** Demo accounts. Email is a private attribute: used for targeting, never sent to the browser. */
export const DEMO_USERS: Record<string, { label: string; email: string; plan: 'free' | 'pro' }> = {
  alice: { label: 'Alice — staff', email: 'alice.staff@firstlight.dev', plan: 'free' },
  bob: { label: 'Bob — free plan', email: 'bob.private@example.test', plan: 'free' },
  carol: { label: 'Carol — pro plan', email: 'carol.private@example.test', plan: 'pro' },
};

/** The demo's identify hook: the login cookie is the session; a known account adds its profile. */
export function identifyDemoUser({ cookies }: IdentifyRequest): StatsigUser | undefined {
  const userID = cookies.get(LOGIN_COOKIE)?.value;
  if (userID === undefined || !USER_ID_RE.test(userID)) return undefined;
  const profile = DEMO_USERS[userID];
  return {
    userID,
    custom: { plan: profile?.plan ?? 'free' },
    ...(profile ? { privateAttributes: { email: profile.email } } : {}),
  };
}
