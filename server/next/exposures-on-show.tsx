'use client';
/**
 * A prefetched page is rendered on the server but may never be shown, so its server-side gate
 * reads log nothing then (see getRequestFlags). When the router later shows that prefetched
 * payload without asking the server again, this component mounts and logs those exposures through
 * the bootstrapped browser client — the same gate values, rule IDs and secondary exposures, sent
 * to this origin's event route — so a shown page is counted and an unseen one is not.
 */
import { useEffect } from 'react';
import { useStatsigClient } from '@statsig/react-bindings';

export interface ExposuresOnShow {
  /** Gates the server read for this render without logging them. */
  readonly gates: readonly string[];
  /** One ID per server render, so a re-render of the same page (new user, refresh) logs again. */
  readonly renderId: string;
}

export function LogExposuresOnShow({ gates, renderId }: ExposuresOnShow) {
  const { client } = useStatsigClient();
  const key = gates.join('\u0000');
  useEffect(() => {
    // js-client dedupes repeats of one user's exposure itself
    for (const gate of key === '' ? [] : key.split('\u0000')) client.checkGate(gate);
  }, [client, key, renderId]);
  return null;
}
