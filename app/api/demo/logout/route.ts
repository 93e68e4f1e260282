import { NextResponse, type NextRequest } from 'next/server';
import { nextConfig } from '../../../../server/next/config';

export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest) {
  // relative Location: correct behind any proxy or host name
  const res = new NextResponse(null, { status: 303, headers: { location: '/' } });
  res.cookies.delete(nextConfig().loginCookie);
  return res;
}
