/** The `bootstrapValues` string: yielded once, it never changes. */
import type { SpecPayload, SpecSource } from './spec-source';

export class BootstrapSource implements SpecSource {
  readonly name = 'bootstrap' as const;
  #text: string | null;

  constructor(text: string) {
    this.#text = text;
  }

  async load(): Promise<SpecPayload | null> {
    const text = this.#text;
    this.#text = null;
    return text === null ? null : { origin: 'bootstrap', text };
  }
}
