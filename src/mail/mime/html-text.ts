import { simpleParser } from 'mailparser';
import { stripTags } from './fallback.ts';

// mailparser derives text from HTML only in some layouts (a root text/html part,
// or HTML beside a text part); an HTML-only multipart/related or mixed message
// gets no text at all. To convert those the same way as every other message,
// without adding html-to-text as a direct dependency, we hand the HTML back to
// mailparser as a one-part message: a root text/html part is always converted.

const HTML_HEAD = Buffer.from('Content-Type: text/html; charset=utf-8\r\n\r\n');

export interface HtmlText {
  text: string;
  /** Why the proper conversion failed (the crude tag stripper was used instead). */
  problem: string | null;
}

export async function htmlToText(html: string): Promise<HtmlText> {
  try {
    const mail = await simpleParser(Buffer.concat([HTML_HEAD, Buffer.from(html, 'utf8')]), { skipTextToHtml: true });
    if (mail.textConversionError === undefined) return { text: mail.text ?? '', problem: null };
    return { text: stripTags(html), problem: `html to text conversion failed: ${mail.textConversionError.message}` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { text: stripTags(html), problem: `html to text conversion failed: ${message.slice(0, 200)}` };
  }
}
