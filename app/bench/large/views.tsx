/**
 * Presentational rows of the large-project benchmark page: plain values in, markup out, so the
 * flagged page (values from the bootstrapped client) and its plain twin render the same markup.
 */
import type { ReactNode } from 'react';

export interface EntityValues {
  kind: 'gate' | 'experiment' | 'config' | 'layer';
  name: string;
  /** gate value, experiment group or rule */
  label: string;
  /** the value as shown (JSON text) */
  value: string;
}

export function EntityRow({ v }: { v: EntityValues }) {
  return (
    <li className={`card entity entity-${v.kind}`} data-testid={`entity-${v.name}`}>
      <h3>
        {v.kind} <code>{v.name}</code>
      </h3>
      <p className="muted">{v.label}</p>
      <pre>{v.value}</pre>
    </li>
  );
}

export function EntityPage({ headline, children }: { headline: ReactNode; children: ReactNode }) {
  return (
    <main className="page">
      <section className="hero">
        <h1>{headline}</h1>
      </section>
      <ul className="grid">{children}</ul>
    </main>
  );
}
