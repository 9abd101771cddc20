import { z } from 'zod';

/** What a draft holds, as the user wrote it: links and merge tags ({{contact.firstName}}) are kept literally. */
export const draftFieldsSchema = z.object({
  to: z.array(z.email()).default([]),
  cc: z.array(z.email()).optional(),
  bcc: z.array(z.email()).optional(),
  subject: z.string().max(998).default(''),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z
    .array(
      z.object({
        filename: z.string().min(1),
        contentType: z.string().min(1),
        contentBase64: z.string(),
        contentId: z.string().optional(),
      }),
    )
    .optional(),
  /** Attachments of the draft being edited (ids from GET /messages/:id) to keep, inline images included. */
  keepAttachments: z.array(z.string()).optional(),
  /** Tandem id of the message this replies to. */
  inReplyTo: z.string().optional(),
  /** Tandem id of the message this forwards: named in References, so a forward of a private email is private. */
  forwardOf: z.string().optional(),
  /** On creation, add the user's signature below the content (default true). */
  includeSignature: z.boolean().optional(),
});

export type DraftFields = z.infer<typeof draftFieldsSchema>;
