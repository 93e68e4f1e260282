import type { ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { FLAGS } from '../firstlight';

export const dynamic = 'force-dynamic';

export default async function DemoLayout({ children }: { children: ReactNode }) {
  const { clientKey, bootstrap } = await getBootstrap(FLAGS);
  return (
    <FirstlightProvider clientKey={clientKey} bootstrap={bootstrap}>
      {children}
    </FirstlightProvider>
  );
}
