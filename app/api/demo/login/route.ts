import { NextResponse, type NextRequest } from 'next/server';
import { nextConfig } from '../../../../server/next/config';
import { USER_ID_RE } from '../../../../server/next/user';

export const dynamic = 'force-dynamic';

/** Demo sign-in: a plain form POST, so it works without JavaScript too. */
export async function POST(req: NextRequest) {
  const form = await req.formData().catch(() => null);
  const raw = String(form?.get('userID') ?? '').trim();
  // relative Location: correct behind any proxy or host name
  const res = new NextResponse(null, { status: 303, headers: { location: '/' } });
  if (raw.length <= 64 && USER_ID_RE.test(raw)) {
    res.cookies.set(nextConfig().loginCookie, raw, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.nextUrl.protocol === 'https:',
      maxAge: 7 * 24 * 3600,
    });
  }
  return res;
}
