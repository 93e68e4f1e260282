import { demoLogoutPOST } from '../../../../server/next';

export const dynamic = 'force-dynamic';
export const POST = demoLogoutPOST;
