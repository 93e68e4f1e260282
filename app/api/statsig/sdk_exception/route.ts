import { sdkExceptionPOST } from '../../../../server/next';

export const dynamic = 'force-dynamic';
export const POST = sdkExceptionPOST;
