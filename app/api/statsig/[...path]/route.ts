import { createRouteHandlers } from 'firstlight/next';
import { FLAGS } from '../../../firstlight';

// Every Firstlight route (events, initialize, bootstrap, deferred exposures, health) from one factory.
export const { GET, POST } = createRouteHandlers(FLAGS);
