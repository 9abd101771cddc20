import { sql } from 'kysely';
import { z } from 'zod';
import { storageStatus } from '../../errors/index.ts';
import type { ApiApp } from '../api-app.ts';

export function healthRoutes(app: ApiApp): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness and store reachability',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['sqlite', 'postgres']),
            // `full` while this process's last write met a full disk (writes answer 507 storage_full)
            storage: z.enum(['ok', 'full']),
          }),
        },
      },
    },
    async () => {
      await sql`select 1`.execute(app.tandem.store.db);
      return {
        status: 'ok' as const,
        database: app.tandem.store.dialect,
        storage: storageStatus.isFull() ? ('full' as const) : ('ok' as const),
      };
    },
  );
}
