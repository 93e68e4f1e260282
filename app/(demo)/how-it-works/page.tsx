import Link from 'next/link';

/** A static explainer whose link to the storefront is prefetched in full by the router. */
export default function HowItWorks() {
  return (
    <main className="page prose">
      <h1>How Firstlight renders this shop</h1>
      <ol>
        <li>The proxy gives every new browser a stable ID cookie, on its very first request.</li>
        <li>The server evaluates every gate, config, experiment and layer once for this request.</li>
        <li>Server components read the results; the same results become the browser SDK&apos;s bootstrap.</li>
        <li>The browser SDK starts from that bootstrap: no network call, no flicker.</li>
        <li>
          Exposures are logged once per page view. A page the router only prefetches logs nothing; if it is shown
          later, the browser logs its exposures then.
        </li>
      </ol>
      <p>
        <Link href="/" prefetch={true} className="btn btn-solid" data-testid="to-shop">
          Back to the shop
        </Link>
      </p>
    </main>
  );
}
