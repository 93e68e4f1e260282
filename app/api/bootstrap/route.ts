import { bootstrapPOST, makeBootstrapGET } from '../../../server/next/routes';
import { FLAGS } from '../../firstlight';

export const dynamic = 'force-dynamic';
export const GET = makeBootstrapGET(FLAGS);
export const POST = bootstrapPOST;
