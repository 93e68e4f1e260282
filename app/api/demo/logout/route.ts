import { demoLogoutPOST } from '../../../demo-session';

export const dynamic = 'force-dynamic';
export const POST = demoLogoutPOST;
