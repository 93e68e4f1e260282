'use client';
/**
 * The demo's consent banner: the package's useConsent() does the work (cookie, device ID, SDK mode);
 * the banner only asks, and refreshes the server-rendered parts of the page afterwards.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useConsent } from 'firstlight/react';

export function ConsentBanner() {
  const consent = useConsent();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  if (!consent.required) return null;
  const act = (f: () => Promise<void>) => async () => {
    setBusy(true);
    try {
      await f();
      router.refresh();
    } finally {
      setBusy(false);
    }
  };
  if (consent.granted) {
    return (
      <p className="consent consent-given small" data-testid="consent-state" data-consent="granted">
        This browser keeps a device ID for experiments.{' '}
        <button type="button" className="btn btn-ghost" onClick={act(consent.revoke)} disabled={busy} data-testid="consent-revoke">
          Withdraw consent
        </button>
      </p>
    );
  }
  return (
    <aside className="consent card" data-testid="consent-state" data-consent="not-granted">
      <p>May this browser keep a device ID? Device experiments show their default until you agree, and nothing is logged.</p>
      <button type="button" className="btn btn-solid" onClick={act(consent.grant)} disabled={busy} data-testid="consent-grant">
        Allow
      </button>{' '}
      <button type="button" className="btn btn-ghost" onClick={act(consent.revoke)} disabled={busy} data-testid="consent-decline">
        Not now
      </button>
    </aside>
  );
}
