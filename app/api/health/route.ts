import { healthGET } from '../../../server/next/routes';

export const dynamic = 'force-dynamic';
export const GET = healthGET;
