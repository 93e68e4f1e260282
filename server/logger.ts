/** The few log calls the runtime makes. Pass `logger` in the options to route or silence them. */
export interface Logger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const consoleLogger: Logger = {
  warn: (message, ...details) => console.warn(`firstlight: ${message}`, ...details),
  error: (message, ...details) => console.error(`firstlight: ${message}`, ...details),
};

export const silentLogger: Logger = { warn: () => {}, error: () => {} };
