'use client';
import { useExperiment } from 'firstlight/react';

/** The same experiment read in the browser: equal to the server's headline from the first render. */
export function ClientHeadline() {
  const hero = useExperiment('hero_copy');
  return (
    <p data-testid="client-headline" data-reason={hero.details.reason}>
      {hero.get('headline', 'Welcome')}
    </p>
  );
}
