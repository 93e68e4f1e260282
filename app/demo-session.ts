/**
 * The demo's stand-in for a session: sign-in sets the login cookie that the demo's identify hook
 * (./demo-users) reads as the user ID, sign-out clears it. Plain form POSTs answered with 303 to `/`,
 * so they work without JavaScript too.
 */
import { NextResponse, type NextRequest } from 'next/server';

/** Cookie holding the signed-in demo user's ID. */
export const LOGIN_COOKIE = 'fl_user';
/** What the demo accepts as a user ID: short, printable, no separators. */
export const USER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

const LOGIN_MAX_AGE_S = 7 * 24 * 3600;

function backHome(): NextResponse {
  // relative Location: correct behind any proxy or host name
  return new NextResponse(null, { status: 303, headers: { location: '/' } });
}

export async function demoLoginPOST(req: NextRequest): Promise<NextResponse> {
  const form = await req.formData().catch(() => null);
  const raw = String(form?.get('userID') ?? '').trim();
  const res = backHome();
  if (USER_ID_RE.test(raw)) {
    res.cookies.set(LOGIN_COOKIE, raw, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.nextUrl.protocol === 'https:',
      maxAge: LOGIN_MAX_AGE_S,
    });
  }
  return res;
}

export async function demoLogoutPOST(_req: NextRequest): Promise<NextResponse> {
  const res = backHome();
  res.cookies.delete(LOGIN_COOKIE);
  return res;
}
