import type { ReactNode } from 'react';
import { getBootstrap } from 'firstlight/next';
import { FirstlightProvider } from 'firstlight/react';
import { benchEntities, targetOptions } from '../entities';

export const dynamic = 'force-dynamic';

export default async function BenchLargeLayout({ children, params }: { children: ReactNode; params: Promise<{ target: string }> }) {
  benchEntities();
  const { clientKey, bootstrap } = await getBootstrap(targetOptions((await params).target));
  return (
    <FirstlightProvider clientKey={clientKey} bootstrap={bootstrap}>
      {children}
    </FirstlightProvider>
  );
}
