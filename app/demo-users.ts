import type { StatsigUser } from '../lib/types';

/** Demo accounts. Email is a private attribute: used for targeting, never sent to the browser. */
export const DEMO_USERS: Record<string, { label: string; email: string; plan: 'free' | 'pro' }> = {
  alice: { label: 'Alice — staff', email: 'alice.staff@firstlight.dev', plan: 'free' },
  bob: { label: 'Bob — free plan', email: 'bob.private@example.test', plan: 'free' },
  carol: { label: 'Carol — pro plan', email: 'carol.private@example.test', plan: 'pro' },
};

export function decorateDemoUser(user: StatsigUser): StatsigUser {
  if (user.userID == null) return user;
  const profile = DEMO_USERS[String(user.userID)];
  return {
    ...user,
    custom: { plan: profile?.plan ?? 'free' },
    ...(profile ? { privateAttributes: { email: profile.email } } : {}),
  };
}
