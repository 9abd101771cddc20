import { simpleParser } from 'mailparser';
import type { ParsedMail, SimpleParserOptions } from 'mailparser';
import { firstMailbox, toMailAddresses } from './addresses.ts';
import { toParsedAttachments } from './attachments.ts';
import { charsetProblems, decodeUtf7, utf7Text } from './charset.ts';
import { parseDateHeader } from './date.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { fallbackContent, repairAddressing, stripTags } from './fallback.ts';
import { withDecodableHeaderWords } from './header-words.ts';
import { htmlToText } from './html-text.ts';
import { capHeaderValue, capParsed, MAX_PARSED_BYTES, tooLargeProblem } from './limits.ts';
import { stripMboxEnvelope } from './mbox.ts';
import { normalizeMessageId, parseMessageIdList } from './message-id.ts';
import { bodyStart, firstHeader, headerEnd, scanHeaders } from './raw-headers.ts';
import type { HeaderField } from './raw-headers.ts';
import { sanitizeEmailHtml } from './sanitize.ts';
import { makeSnippet } from './snippet.ts';
import { inspectStructure } from './structure.ts';
import type { ParsedMessage } from './types.ts';

// Pure: no I/O beyond the buffer, no shared state, so it can run in a worker.

const PARSER_OPTIONS: SimpleParserOptions = {
  skipTextToHtml: true, // no textAsHtml, and plain parts stay out of `html`
  keepCidLinks: true, // keep cid: for the API to rewrite, instead of inlining data: URLs
  checksumAlgo: false, // we hash nothing here; saves an md5 per attachment
  ignoreEmbedded: true, // message/rfc822 parts are always attachments
};

/** Headers kept in ParsedMessage.headers: list handling, auto-reply detection, debug. */
export const SELECTED_HEADERS = [
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'auto-submitted',
  'precedence',
  'x-auto-response-suppress',
  'x-autoreply',
  'x-autorespond',
  'x-failed-recipients',
  'x-mailer',
  'user-agent',
  'content-language',
] as const;

type Envelope = Pick<ParsedMessage, 'messageId' | 'inReplyTo' | 'references' | 'date' | 'headers'>;
type Content = Omit<ParsedMessage, keyof Envelope | 'snippet' | 'problems'>;

/** Strips NUL (PostgreSQL text cannot hold it) and normalizes line ends to LF. */
function cleanText(text: string): string {
  return text.replace(/\0/g, '').replace(/\r\n?/g, '\n');
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}

/** The fields we read from our own header scan, identical whether mailparser succeeds or not. */
function readEnvelope(fields: readonly HeaderField[], problems: string[]): Envelope {
  const rawDate = firstHeader(fields, 'date');
  const date = rawDate === null ? null : parseDateHeader(rawDate);
  if (rawDate === null) problems.push('missing Date header');
  else if (date === null) problems.push(`unparseable Date header "${rawDate.slice(0, 80)}"`);
  const headers: Record<string, string> = {};
  for (const name of SELECTED_HEADERS) {
    const value = firstHeader(fields, name);
    if (value !== null) headers[name] = capHeaderValue(name, cleanText(decodeEncodedWords(value)), problems);
  }
  const inReplyTo = firstHeader(fields, 'in-reply-to');
  return {
    messageId: normalizeMessageId(firstHeader(fields, 'message-id') ?? ''),
    inReplyTo: inReplyTo === null ? null : normalizeMessageId(inReplyTo),
    references: parseMessageIdList(firstHeader(fields, 'references') ?? ''),
    date,
    headers,
  };
}

/** HTML sanitized, text derived from the HTML when mailparser gave none. */
async function readBody(mail: ParsedMail, problems: string[]): Promise<{ text: string; html: string | null }> {
  let html: string | null = null;
  if (typeof mail.html === 'string') {
    try {
      html = sanitizeEmailHtml(mail.html);
    } catch (error) {
      problems.push(`html sanitizing failed: ${describe(error)}`);
    }
  }
  let text = mail.text ?? '';
  if (mail.textConversionError !== undefined) {
    problems.push(`html to text conversion failed: ${describe(mail.textConversionError)}`);
    if (text.trim() === '' && typeof mail.html === 'string') text = stripTags(mail.html);
  } else if (text.trim() === '' && typeof mail.html === 'string') {
    const converted = await htmlToText(mail.html);
    text = converted.text;
    if (converted.problem !== null) problems.push(converted.problem);
  }
  return { text, html };
}

/**
 * The raw body as text, for input mailparser could not map to parts: a first
 * block without any `Name: value` line (mailparser eats it as headers), or a
 * message with no readable part that is not cleanly multipart.
 */
function rawBodyText(raw: Buffer, fields: readonly HeaderField[], framed: boolean, content: Content): string | null {
  if (fields.length === 0 && headerEnd(raw) > 0) return raw.toString('utf8');
  if (framed || content.html !== null || content.attachments.length > 0 || content.text.trim() !== '') return null;
  const body = raw.subarray(bodyStart(raw)).toString('utf8');
  return body.trim() === '' ? null : body;
}

/** Decodes the UTF-7 text mailparser passed through as it was (see utf7Text). */
function decodeUtf7Text(mail: ParsedMail, rawLatin1: string, problems: string[]): void {
  const utf7 = utf7Text(rawLatin1);
  if (utf7 === 'some') problems.push('utf-7 text beside text in other charsets (decoded as UTF-8)');
  if (utf7 !== 'all') return;
  if (typeof mail.html === 'string') mail.html = decodeUtf7(mail.html);
  // Text mailparser made from UTF-7 HTML is dropped: readBody derives it again from the decoded HTML.
  const plain = /^content-type:\s*text\/plain/im.test(rawLatin1);
  mail.text = plain && mail.text !== undefined ? decodeUtf7(mail.text) : undefined;
}

async function readContent(mail: ParsedMail, problems: string[]): Promise<Content> {
  const { text, html } = await readBody(mail, problems);
  return {
    subject: cleanText(mail.subject ?? '').replace(/\n/g, ' '),
    from: firstMailbox(mail.from),
    to: toMailAddresses(mail.to),
    cc: toMailAddresses(mail.cc),
    bcc: toMailAddresses(mail.bcc),
    replyTo: toMailAddresses(mail.replyTo),
    text: cleanText(text).trimEnd(),
    html,
    attachments: toParsedAttachments(mail.attachments, html),
  };
}

/**
 * What is parsed of the raw message: all of it, or past MAX_PARSED_BYTES its
 * header section alone (itself cut to that size), so a huge message costs
 * no more to parse than the largest one read whole.
 */
function parsedPart(raw: Buffer, problems: string[]): Buffer {
  if (raw.length <= MAX_PARSED_BYTES) return raw;
  problems.push(tooLargeProblem(raw.length));
  return raw.subarray(0, Math.min(headerEnd(raw), MAX_PARSED_BYTES));
}

async function parseRaw(whole: Buffer): Promise<ParsedMessage> {
  const problems: string[] = [];
  if (whole.length === 0) problems.push('empty message');
  const raw = parsedPart(whole, problems);
  // Headers are read from a copy whose encoded words mailparser can decode; the stored raw is never changed.
  const input = withDecodableHeaderWords(raw);
  const fields = scanHeaders(input);
  if (fields.length === 0 && raw.length > 0) problems.push('no header section found');
  const envelope = readEnvelope(fields, problems);
  const rawLatin1 = raw.toString('latin1');
  const structure = inspectStructure(fields, rawLatin1);
  problems.push(...structure.problems, ...charsetProblems(rawLatin1));

  let content: Content;
  try {
    const mail = await simpleParser(input, PARSER_OPTIONS);
    decodeUtf7Text(mail, rawLatin1, problems);
    content = await readContent(mail, problems);
    Object.assign(content, repairAddressing(content, fields));
    const rawText = rawBodyText(raw, fields, structure.framed, content);
    if (rawText !== null) {
      content.text = cleanText(rawText).trimEnd();
      if (fields.length > 0) problems.push('no readable body part; raw body shown as text');
    }
  } catch (error) {
    problems.push(`parse failed: ${describe(error)}`);
    const fallback = fallbackContent(input, fields);
    content = {
      ...fallback,
      subject: cleanText(fallback.subject),
      text: cleanText(fallback.text).trimEnd(),
      html: null,
      attachments: [],
    };
  }
  const capped = capParsed({ ...envelope, ...content }, problems);
  return { ...capped, snippet: makeSnippet(capped.text), problems };
}

/** The result when even the fallback failed (e.g. a message too big for a JS string). */
function unreadable(error: unknown): ParsedMessage {
  return {
    messageId: null,
    inReplyTo: null,
    references: [],
    subject: '',
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    date: null,
    text: '',
    html: null,
    snippet: '',
    attachments: [],
    headers: {},
    problems: [`unreadable message: ${describe(error)}`],
  };
}

/**
 * Parses a raw RFC 5322 message (a leading mbox `From ` line is ignored).
 * Never throws: whatever cannot be read is described in `problems`, and when
 * mailparser fails altogether the result is built from a plain header scan
 * with the raw body as text. Accepts a Uint8Array too (what a Buffer becomes
 * after crossing worker_threads).
 */
export async function parseMessage(input: Buffer | Uint8Array): Promise<ParsedMessage> {
  try {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    return await parseRaw(stripMboxEnvelope(bytes));
  } catch (error) {
    return unreadable(error);
  }
}
