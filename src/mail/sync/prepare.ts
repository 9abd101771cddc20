import type { BlobStore } from '../../blobs/index.ts';
import type { StoredAttachment, StoredParse } from '../messages/write.ts';
import { parseListing, parseMessage } from '../mime/index.ts';

/** A message parsed and its bytes in the blob store, ready for upsertMessage. */
export interface PreparedMessage {
  parsed: StoredParse;
  /** Blob key (sha256) of the raw source. */
  rawBlob: string;
  /** Set when only the header section was read (the first sync's header pass): the indexer reads the body. */
  listedOnly?: { hasAttachments: boolean };
}

/**
 * Parses a raw message and writes it and its attachments to the blob store.
 * The writes block: small files written at once cost less than their trips
 * through libuv's thread pool (measured: a first sync 1.7× faster). The
 * result holds no attachment bytes, so a batch of them stays small.
 */
export async function prepareMessage(raw: Buffer, blobs: BlobStore): Promise<PreparedMessage> {
  const parsed = await parseMessage(raw);
  const rawBlob = blobs.putSync(raw);
  const attachments: StoredAttachment[] = parsed.attachments.map(({ content, ...meta }) => ({
    ...meta,
    blobKey: blobs.putSync(content),
  }));
  return { parsed: { ...parsed, attachments }, rawBlob };
}

/**
 * The header pass: writes the raw source to the blob store and reads its
 * header section alone — what a list, a thread, a rule on headers and a record
 * link need. The body is left to the indexer, which reads it from that blob.
 */
export async function prepareListing(raw: Buffer, blobs: BlobStore): Promise<PreparedMessage> {
  const { parsed, hasAttachments } = await parseListing(raw);
  return { parsed: { ...parsed, attachments: [] }, rawBlob: blobs.putSync(raw), listedOnly: { hasAttachments } };
}
