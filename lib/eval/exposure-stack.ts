/**
 * One stack of secondary exposures shared by every evaluation in the process. A pass_gate
 * condition pushes the nested gate's exposures; evalSpec keeps its spec's deduplicated list as the
 * segment above the stack top it found, and puts the top back when it returns (also on a throw),
 * so nested and re-entrant evaluations (a user getter that evaluates again) only ever use the part
 * above their caller's. An array is made only for a list a result keeps. Hand-written: a
 * 1,800-entity bootstrap made ~190 KB of short-lived exposure arrays per call before.
 *
 * The top is an index rather than the array's length: shortening an array's length lets V8 trim its
 * backing store, which the next push would grow again.
 */
import type { SecondaryExposure } from '../types';

export const EXPOSURE_STACK: { readonly items: SecondaryExposure[]; top: number } = { items: [], top: 0 };

/** Pushes `e` (conditions of nested gates). */
export function pushExposure(e: SecondaryExposure): void {
  EXPOSURE_STACK.items[EXPOSURE_STACK.top++] = e;
}
