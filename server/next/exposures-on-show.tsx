'use client';
/**
 * A router fetch or prefetch is rendered on the server but may never be shown — Next 16 sends a
 * `<Link prefetch={true}>` fetch with a navigation's headers — so its server-side gate reads log
 * nothing then (see getRequestFlags). This component is part of that render's payload: when the
 * router shows it, it mounts and reports the gates to `POST /api/statsig/shown`, where the server
 * logs them for the user of this request through its own pipeline (same user, same metadata, the
 * same dedupe as a page load's exposures). A prerendered page reports when it is activated.
 */
import { useEffect } from 'react';

export interface ExposuresOnShow {
  /** Gates the server read for this render without logging them. */
  readonly gates: readonly string[];
  /** One ID per server render, so a re-render of the same page (new user, refresh) reports again. */
  readonly renderId: string;
}

export interface LogExposuresOnShowProps extends ExposuresOnShow {
  /** The route that logs them (makeExposuresShownPOST). @default '/api/statsig/shown' */
  endpoint?: string;
}

export function LogExposuresOnShow({ gates, renderId, endpoint = '/api/statsig/shown' }: LogExposuresOnShowProps) {
  const key = gates.join('\u0000');
  useEffect(() => {
    if (key === '') return;
    const report = () => {
      fetch(endpoint, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ gates: key.split('\u0000') }),
      }).catch(() => {
        // an exposure report is best effort, like any analytics beacon
      });
    };
    const doc = document as Document & { prerendering?: boolean };
    if (!doc.prerendering) {
      report();
      return;
    }
    doc.addEventListener('prerenderingchange', report, { once: true });
    return () => doc.removeEventListener('prerenderingchange', report);
  }, [endpoint, key, renderId]);
  return null;
}
