import type { BlobStore } from '../../blobs/index.ts';
import { cidReferences, parseMessage } from '../mime/index.ts';
import type { ComposeAttachment, ParsedAttachment } from '../mime/index.ts';

// A draft's inline images (parts with a Content-ID that its HTML references by
// `cid:`, RFC 2392) live in the draft's stored version: the editor shows them
// from there, and each new version takes them from the one it replaces.

type InlinePart = ParsedAttachment & { contentId: string };

async function inlineParts(blobs: BlobStore, rawKey: string): Promise<InlinePart[]> {
  const parsed = await parseMessage(await blobs.get(rawKey));
  return parsed.attachments.filter((a): a is InlinePart => a.contentId !== null);
}

const bare = (contentId: string) => contentId.replace(/^<|>$/g, '').toLowerCase();

/** One part of the stored version, by its Content-ID (compared as RFC 2392 does, case-insensitively). */
export async function inlinePart(blobs: BlobStore, rawKey: string, contentId: string): Promise<InlinePart | undefined> {
  return (await inlineParts(blobs, rawKey)).find((p) => bare(p.contentId) === bare(contentId));
}

/** The parts of the previous version that `html` still references, unless `present` already holds one with that Content-ID. */
export async function inlinePartsKept(
  blobs: BlobStore,
  previousRaw: string,
  html: string | undefined,
  present: readonly ComposeAttachment[],
): Promise<ComposeAttachment[]> {
  const references = cidReferences(html ?? null);
  if (references.size === 0) return [];
  const held = new Set(present.flatMap((a) => (a.contentId ? [bare(a.contentId)] : [])));
  return (await inlineParts(blobs, previousRaw))
    .filter((p) => references.has(bare(p.contentId)) && !held.has(bare(p.contentId)))
    .map((p) => ({
      filename: p.filename ?? 'image',
      contentType: p.contentType,
      contentBase64: p.content.toString('base64'),
      contentId: p.contentId,
    }));
}
