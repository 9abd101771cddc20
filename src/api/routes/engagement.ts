import { z } from 'zod';
import { visibleMessage } from '../../access/index.ts';
import {
  engagementOfMessage,
  setTrackingSettings,
  trackingSettings,
  trackingSettingsSchema,
} from '../../engagement/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser, requireAdmin } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const classificationSchema = z
  .enum(['human', 'privacy_proxy', 'scanner', 'sender'])
  .describe('Who made it: a person, a privacy proxy (Apple MPP, Gmail/Yahoo image proxies), a scanner, the sender');

const eventSchema = z.object({
  kind: z.enum(['open', 'click']),
  classification: classificationSchema,
  reason: z.string().nullable().describe('Why it was classified so'),
  linkIndex: z.number().int().nullable(),
  url: z.string().nullable().describe('For a click: the link’s address'),
  at: z.number().int().describe('Epoch milliseconds'),
});

export const engagementSchema = z.object({
  tracked: z.boolean().describe('Whether the copies that went out carried open and click marks'),
  sentAt: z.number().int().nullable(),
  links: z.array(z.object({ index: z.number().int(), url: z.string() })),
  recipients: z.array(
    z.object({
      address: z.string(),
      opens: z.number().int().describe('Opens by people'),
      clicks: z.number().int().describe('Clicks by people'),
      otherOpens: z.number().int().describe('Opens by privacy proxies, scanners and the sender'),
      otherClicks: z.number().int().describe('Clicks by scanners and the sender'),
      events: z.array(eventSchema).describe('Newest first'),
    }),
  ),
});

/** Engagement of sent messages, and the admin's tracking settings (docs/engagement.md). */
export function engagementRoutes(app: ApiApp): void {
  app.get(
    '/api/v1/messages/:id/engagement',
    {
      schema: {
        tags: ['engagement'],
        summary: 'Opens and clicks of the email behind a message Tandem sent, per recipient and classified',
        params: z.object({ id: z.string() }),
        response: { 200: engagementSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const db = app.tandem.store.db;
      const message = await visibleMessage(db, currentUser(request), request.params.id);
      return engagementOfMessage(db, message.id);
    },
  );

  app.get(
    '/api/v1/tracking-settings',
    {
      schema: {
        tags: ['engagement'],
        summary:
          'The workspace’s tracking policy, for every user: the default for one-to-one emails and how long events are kept',
        response: { 200: trackingSettingsSchema },
      },
    },
    async () => trackingSettings(app.tandem.store.db),
  );

  app.put(
    '/api/v1/tracking-settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change the tracking policy (administrators)',
        body: trackingSettingsSchema,
        response: { 200: trackingSettingsSchema, 400: errorSchema, 403: errorSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      return setTrackingSettings(app.tandem.store.db, request.body);
    },
  );
}
