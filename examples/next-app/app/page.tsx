import Link from 'next/link';
import { getRequestFlags } from 'firstlight/next';
import { LogExposuresOnShow } from 'firstlight/react';
import { FLAGS } from './flags';
import { ClientHeadline } from './client-headline';

export default async function Home() {
  const flags = await getRequestFlags(FLAGS);
  const hero = flags.getExperiment('hero_copy');
  const express = flags.checkGate('express_checkout');
  return (
    <main>
      <h1 data-testid="server-headline">{hero.get('headline', 'Welcome')}</h1>
      <ClientHeadline />
      <p data-testid="express">{express ? 'Express checkout available' : 'Standard checkout'}</p>
      <Link href="/about">About</Link>
      <LogExposuresOnShow {...flags.exposuresOnShow} />
    </main>
  );
}
