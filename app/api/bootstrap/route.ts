import { bootstrapPOST, makeBootstrapGET } from '../../../server/next';
import { FLAGS } from '../../firstlight';

export const dynamic = 'force-dynamic';
export const GET = makeBootstrapGET(FLAGS);
export const POST = bootstrapPOST;
