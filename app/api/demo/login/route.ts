import { demoLoginPOST } from '../../../demo-session';

export const dynamic = 'force-dynamic';
/** Demo sign-in: a plain form POST, so it works without JavaScript too. */
export const POST = demoLoginPOST;
