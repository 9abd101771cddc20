import { sql } from 'kysely';
import { z } from 'zod';
import type { ApiApp } from '../api-app.ts';

export function healthRoutes(app: ApiApp): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness and store reachability',
        response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']) }) },
      },
    },
    async () => {
      await sql`select 1`.execute(app.tandem.store.db);
      return { status: 'ok' as const, database: app.tandem.store.dialect };
    },
  );
}
