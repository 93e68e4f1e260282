/**
 * Presentational pieces of the storefront. They take plain values, so the same markup renders
 * with flags (the demo) or with fixed values (the benchmark's no-flags page).
 */
import type { CSSProperties, ReactNode } from 'react';

export interface HeroValues {
  headline: string;
  subhead: string;
  accent: string;
  layout: string;
  group: string;
}

export function HeroView({ v }: { v: HeroValues }) {
  return (
    <section className={`hero hero-${v.layout}`} style={{ '--accent': v.accent } as CSSProperties} data-testid="hero">
      <p className="eyebrow">
        Variant <span data-testid="hero-variant">{v.group}</span>
      </p>
      <h1 data-testid="hero-headline">{v.headline}</h1>
      <p className="subhead">{v.subhead}</p>
    </section>
  );
}

export interface ProductValues {
  label: string;
  style: string;
  group: string;
  currency: string;
  freeShippingOver: number;
  originNote: string;
}

const PRICES: Record<string, number> = { USD: 18, EUR: 17 };

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

export function ProductView({ v, express, onBuy }: { v: ProductValues; express: ReactNode; onBuy?: () => void }) {
  return (
    <section className="card product" data-testid="product">
      <div className="bag" aria-hidden>
        <span>FL</span>
      </div>
      <div className="product-body">
        <h2>Morning Light — house blend</h2>
        <p className="muted">{v.originNote}. Notes of cocoa, red apple and honey.</p>
        <p className="price">
          {money(PRICES[v.currency] ?? 18, v.currency)} <span className="muted">· free shipping over {money(v.freeShippingOver, v.currency)}</span>
        </p>
        <div className="actions">
          <button type="button" className={`btn btn-${v.style}`} data-testid="buy-button" data-group={v.group} onClick={onBuy}>
            {v.label}
          </button>
          {express}
        </div>
      </div>
    </section>
  );
}

export interface RecsValues {
  title: string;
  count: number;
  ranker: string;
}

const COFFEES = [
  ['Ethiopia Guji', 'jasmine, bergamot'],
  ['Colombia Huila', 'caramel, plum'],
  ['Kenya Nyeri', 'blackcurrant, grapefruit'],
  ['Guatemala Acatenango', 'chocolate, orange peel'],
  ['Sumatra Lintong', 'cedar, dark cocoa'],
] as const;

export function RecsView({ v }: { v: RecsValues }) {
  const list = v.ranker === 'personalized' ? [...COFFEES].reverse() : COFFEES;
  return (
    <section className="card recs" data-testid="recs" data-ranker={v.ranker}>
      <h2 data-testid="recs-title">{v.title}</h2>
      <ul>
        {list.slice(0, Math.max(0, Math.min(5, v.count))).map(([name, notes]) => (
          <li key={name}>
            <strong>{name}</strong>
            <span className="muted">{notes}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ExpressBadge({ on }: { on: boolean }) {
  return on ? (
    <span className="badge badge-on" data-testid="express-checkout">
      ⚡ Express checkout
    </span>
  ) : (
    <span className="badge" data-testid="express-checkout-off" hidden />
  );
}
