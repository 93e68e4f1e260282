export async function register() {
  // a bad FIRSTLIGHT_* value (e.g. a server secret as the client key) stops the server here, at start
  if (process.env.NEXT_RUNTIME === 'nodejs') (await import('firstlight/next')).checkConfig();
}
