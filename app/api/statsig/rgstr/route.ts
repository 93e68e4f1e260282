import { eventsPOST } from '../../../../server/next/routes';

export const dynamic = 'force-dynamic';
export const POST = eventsPOST;
