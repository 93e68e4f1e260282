import { createRouteHandlers } from 'firstlight/next';
import { FLAGS } from '../../../flags';

export const { GET, POST } = createRouteHandlers(FLAGS);
