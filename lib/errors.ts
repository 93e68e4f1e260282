/**
 * Coded errors. `code` values are stable once shipped and never reused; `instanceof` works across
 * duplicate copies of the package because it checks a registered symbol, not the prototype chain.
 */

const kFirstlightError = Symbol.for('firstlight.error');

export type FirstlightErrorCode =
  | 'FL_ERR'
  | 'FL_ERR_SPEC_PARSE'
  | 'FL_ERR_SPEC_KEY_MISMATCH'
  | 'FL_ERR_INVALID_OPTION'
  | 'FL_ERR_INVALID_ARGUMENT'
  | 'FL_ERR_SOURCE_UNAVAILABLE'
  | 'FL_ERR_NOT_INITIALIZED'
  | 'FL_ERR_FLAGS_UNAVAILABLE'
  | 'FL_ERR_MISSING_PACKAGE';

export class FirstlightError extends Error {
  readonly code: FirstlightErrorCode = 'FL_ERR';
  override name = 'FirstlightError';
  get [kFirstlightError](): FirstlightErrorCode {
    return this.code;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && kFirstlightError in value;
  }
}

function codedError<C extends FirstlightErrorCode>(name: string, code: C, defaultMessage: string) {
  return class extends FirstlightError {
    override readonly code: C = code;
    override name = name;
    constructor(message: string = defaultMessage, options?: { cause?: unknown }) {
      super(message, options);
    }
    // the registered symbol carries the code, so a copy from another bundle of the package matches too
    static override [Symbol.hasInstance](value: unknown): boolean {
      return typeof value === 'object' && value !== null && (value as { [kFirstlightError]?: unknown })[kFirstlightError] === code;
    }
  };
}

/** One problem found in a payload, with the JSON path of the bad field. */
export interface SpecIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const SpecParseBase = codedError('SpecParseError', 'FL_ERR_SPEC_PARSE', 'invalid download_config_specs payload');
/** A DCS payload that is not valid JSON or does not match the schema. */
export class SpecParseError extends SpecParseBase {
  readonly issues: readonly SpecIssue[];
  constructor(message?: string, issues: readonly SpecIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }
}

/** A DCS payload whose `hashed_sdk_key_used` belongs to another server key. */
export const SpecKeyMismatchError = codedError(
  'SpecKeyMismatchError',
  'FL_ERR_SPEC_KEY_MISMATCH',
  'download_config_specs payload was produced for another server key',
);
export type SpecKeyMismatchError = InstanceType<typeof SpecKeyMismatchError>;

export const InvalidOptionError = codedError('InvalidOptionError', 'FL_ERR_INVALID_OPTION', 'invalid option');
export type InvalidOptionError = InstanceType<typeof InvalidOptionError>;

export const InvalidArgumentError = codedError('InvalidArgumentError', 'FL_ERR_INVALID_ARGUMENT', 'invalid argument');
export type InvalidArgumentError = InstanceType<typeof InvalidArgumentError>;

export const SourceUnavailableError = codedError(
  'SourceUnavailableError',
  'FL_ERR_SOURCE_UNAVAILABLE',
  'spec source unavailable',
);
export type SourceUnavailableError = InstanceType<typeof SourceUnavailableError>;

export const NotInitializedError = codedError('NotInitializedError', 'FL_ERR_NOT_INITIALIZED', 'not initialized');
export type NotInitializedError = InstanceType<typeof NotInitializedError>;

/** A server render asked for flags while no specs are loaded (and fail-open is off). */
export const FlagsUnavailableError = codedError('FlagsUnavailableError', 'FL_ERR_FLAGS_UNAVAILABLE', 'flags unavailable: no specs loaded');
export type FlagsUnavailableError = InstanceType<typeof FlagsUnavailableError>;

const MissingPackageBase = codedError('MissingPackageError', 'FL_ERR_MISSING_PACKAGE', 'an optional package is not installed');
/**
 * A feature needs an optional peer dependency that is not installed (ioredis for fleet mode, the gRPC
 * packages for streaming). `packages` names what to install.
 */
export class MissingPackageError extends MissingPackageBase {
  readonly packages: readonly string[];
  constructor(message?: string, packages: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.packages = packages;
  }
}
