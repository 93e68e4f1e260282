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
  /** Dynamic configs and experiments read the same way. */
  readonly configs?: readonly string[];
  /** Layer parameters read the same way (a layer's exposure is per parameter). */
  readonly layers?: readonly { readonly layer: string; readonly parameter: string }[];
  /** One ID per server render, so a re-render of the same page (new user, refresh) reports again. */
  readonly renderId: string;
}

export interface LogExposuresOnShowProps extends ExposuresOnShow {
  /** The route that logs them (makeExposuresShownPOST). @default '/api/statsig/shown' */
  endpoint?: string;
}

export function LogExposuresOnShow({ gates, configs = [], layers = [], renderId, endpoint = '/api/statsig/shown' }: LogExposuresOnShowProps) {
  // one string dependency: the effect re-runs only when what was read changes (or the render does)
  // (the lists that are empty are left out of the report)
  const key =
    gates.length + configs.length + layers.length === 0
      ? ''
      : JSON.stringify({
          ...(gates.length > 0 ? { gates } : {}),
          ...(configs.length > 0 ? { configs } : {}),
          ...(layers.length > 0 ? { layers } : {}),
        });
  useEffect(() => {
    if (key === '') return;
    const report = () => {
      fetch(endpoint, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'content-type': 'application/json' },
        body: key,
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
