import Link from 'next/link';
import { getRequestFlags } from 'firstlight/next';
import { LogExposuresOnShow } from 'firstlight/react';
import { Hero, Product, Recs } from '../components/flagged';
import { ExpressBadge } from '../components/views';
import { WhyPanel } from '../components/why-panel';
import { DEMO_USERS } from '../demo-users';
import { FLAGS } from '../firstlight';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const flags = await getRequestFlags(FLAGS);
  // Rendered on the server only: its exposure is logged here, once; a prefetch leaves it to the
  // browser, which logs it only if the prefetched page is shown (LogExposuresOnShow below).
  const express = flags.checkGate('express_checkout');
  const userID = flags.user.userID != null ? String(flags.user.userID) : null;
  return (
    <>
      <nav className="topbar">
        <span className="brand">
          <span className="dot" aria-hidden /> Firstlight Coffee
        </span>
        <div className="session">
          {userID ? (
            <form action="/api/demo/logout" method="post">
              <span className="muted">
                Signed in as <strong data-testid="signed-in-as">{userID}</strong>
              </span>{' '}
              <button type="submit" className="btn btn-ghost" data-testid="logout">
                Sign out
              </button>
            </form>
          ) : (
            <form action="/api/demo/login" method="post" className="login">
              <input name="userID" list="demo-users" placeholder="user ID (try alice)" aria-label="User ID" required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}" data-testid="login-input" />
              <datalist id="demo-users">
                {Object.entries(DEMO_USERS).map(([id, p]) => (
                  <option key={id} value={id}>
                    {p.label}
                  </option>
                ))}
              </datalist>
              <button type="submit" className="btn btn-solid" data-testid="login">
                Sign in
              </button>
            </form>
          )}
        </div>
      </nav>
      <main className="page">
        <Hero />
        <div className="grid">
          <Product express={<ExpressBadge on={express} />} />
          <Recs />
        </div>
        <WhyPanel flags={flags} />
        <footer className="muted small">
          Every value above was in the first HTML. The browser SDK was bootstrapped from the same evaluation and has made no
          request except its exposure log to this server. <Link href="/how-it-works" data-testid="to-how">How it works</Link>
        </footer>
        <LogExposuresOnShow {...flags.exposuresOnShow} />
      </main>
    </>
  );
}
