import { makeExposuresShownPOST } from '../../../../server/next';
import { FLAGS } from '../../../firstlight';

export const dynamic = 'force-dynamic';
export const POST = makeExposuresShownPOST(FLAGS);
