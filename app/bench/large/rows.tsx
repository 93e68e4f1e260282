'use client';
/** The flagged rows: each reads its entity through the bootstrapped client, like the storefront's parts. */
import { useDynamicConfig, useExperiment, useFeatureGate, useLayer } from 'firstlight/react';
import { EntityRow } from './views';

export function GateRow({ name }: { name: string }) {
  const gate = useFeatureGate(name);
  return <EntityRow v={{ kind: 'gate', name, label: gate.ruleID || 'default', value: JSON.stringify(gate.value) }} />;
}

export function ExperimentRow({ name }: { name: string }) {
  const exp = useExperiment(name);
  return <EntityRow v={{ kind: 'experiment', name, label: exp.groupName ?? 'default', value: JSON.stringify(exp.value) }} />;
}

export function ConfigRow({ name }: { name: string }) {
  const config = useDynamicConfig(name);
  return <EntityRow v={{ kind: 'config', name, label: config.ruleID || 'default', value: JSON.stringify(config.value) }} />;
}

export function LayerRow({ name }: { name: string }) {
  const layer = useLayer(name);
  // each parameter read through get(), as a page would (an exposure per parameter)
  const value = Object.fromEntries(Object.keys(layer.__value).map((p) => [p, layer.get(p)]));
  return <EntityRow v={{ kind: 'layer', name, label: layer.groupName ?? 'default', value: JSON.stringify(value) }} />;
}
