import type { ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { ConsentBanner } from '../components/consent-banner';
import { FLAGS } from '../firstlight';

export const dynamic = 'force-dynamic';

export default async function DemoLayout({ children }: { children: ReactNode }) {
  // consent is set only in consent mode (FIRSTLIGHT_CONSENT_COOKIE); the banner renders nothing otherwise
  return (
    <FirstlightProvider {...await getBootstrap(FLAGS)}>
      <ConsentBanner />
      {children}
    </FirstlightProvider>
  );
}
