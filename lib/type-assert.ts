/**
 * Compile-time checks that a written-out public type equals the one a zod schema infers. The package's
 * declarations must not import zod (it is bundled, not a dependency), so public types are spelled out
 * by hand; these keep the two from drifting: `type _ = AssertSame<Written, z.infer<typeof schema>>`
 * fails to compile when they differ.
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type AssertSame<A, B> = Same<A, B> extends true ? true : { error: 'types differ'; written: A; inferred: B };
export type Check<T extends true> = T;
