import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TandemContext } from '../context/index.ts';
import type { SyncControl } from '../mail/sync/index.ts';
import type { Presence } from './presence.ts';

declare module 'fastify' {
  interface FastifyInstance {
    tandem: TandemContext;
    sync: SyncControl;
    /** Who views or replies to which conversation (in memory; relayed between `tandem web` processes). */
    presence: Presence;
  }
}

export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
