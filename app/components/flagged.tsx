'use client';
/**
 * Flag-driven parts of the page. They read the bootstrapped client through the React hooks, so the
 * first render (server and hydration alike) already has the right variant, and the browser logs
 * one exposure per experiment when the page loads.
 */
import type { ReactNode } from 'react';
import { useDynamicConfig, useExperiment, useLayer, useStatsigClient } from 'firstlight/react';
import { HeroView, ProductView, RecsView } from './views';

export function Hero() {
  const exp = useExperiment('hero_copy');
  return (
    <HeroView
      v={{
        headline: exp.get('headline', 'Coffee, roasted the morning you order it.'),
        subhead: exp.get('subhead', ''),
        accent: exp.get('accent', '#b4532a'),
        layout: exp.get('layout', 'classic'),
        group: exp.groupName ?? 'default',
      }}
    />
  );
}

export function Product({ express }: { express: ReactNode }) {
  const exp = useExperiment('checkout_button');
  const store = useDynamicConfig('store_config');
  const { client } = useStatsigClient();
  return (
    <ProductView
      express={express}
      onBuy={() => client.logEvent('add_to_cart', 'morning_light', { button: exp.groupName ?? 'default' })}
      v={{
        label: exp.get('label', 'Add to cart'),
        style: exp.get('style', 'outline'),
        group: exp.groupName ?? 'default',
        currency: store.get('currency', 'USD'),
        freeShippingOver: store.get('free_shipping_over', 40),
        originNote: store.get('origin_note', 'Roasted in Portland, OR'),
      }}
    />
  );
}

export function Recs() {
  const layer = useLayer('storefront');
  return (
    <RecsView
      v={{
        title: layer.get('recs_title', 'Customer favourites'),
        count: layer.get('recs_count', 3),
        ranker: layer.get('ranker', 'popular'),
      }}
    />
  );
}

/** What the browser SDK itself says about each entity (read without logging an exposure). */
export function ClientReason({ kind, name }: { kind: string; name: string }) {
  const { client } = useStatsigClient();
  const o = { disableExposureLog: true };
  const details =
    kind === 'gate'
      ? client.getFeatureGate(name, o).details
      : kind === 'layer'
        ? client.getLayer(name, o).details
        : kind === 'config'
          ? client.getDynamicConfig(name, o).details
          : client.getExperiment(name, o).details;
  return <code data-testid={`client-reason-${name}`}>{details.reason}</code>;
}
