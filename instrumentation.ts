// Next.js calls register() once when a server starts: validate the environment there, so a bad
// FIRSTLIGHT_* value stops the service at start-up with a clear message, not on the first request.
// Then start the instance (events a previous process spooled are delivered now, not on the first
// request) and put the event flush in front of Next's SIGTERM/SIGINT handlers.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfig, flushEventsOnShutdown } = await import('firstlight/next');
  checkConfig();
  flushEventsOnShutdown();
}
