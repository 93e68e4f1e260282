import { healthGET } from '../../../server/next';

export const dynamic = 'force-dynamic';
export const GET = healthGET;
