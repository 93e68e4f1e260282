import { initializePOST } from '../../../../server/next/routes';

export const dynamic = 'force-dynamic';
export const POST = initializePOST;
