import { firstHeader } from './raw-headers.ts';
import type { HeaderField } from './raw-headers.ts';

export interface Structure {
  /** Problems with the top-level multipart framing. */
  problems: string[];
  /** True when the message is multipart and its boundary occurs: the body is parts, not text. */
  framed: boolean;
}

/**
 * Checks the top-level multipart framing (RFC 2046 §5.1.1) on the raw text
 * (latin1): mailparser recovers from broken boundaries silently, but the reader
 * should know the body may be incomplete.
 */
export function inspectStructure(fields: readonly HeaderField[], rawLatin1: string): Structure {
  const contentType = firstHeader(fields, 'content-type');
  if (contentType === null || !/^\s*multipart\//i.test(contentType)) return { problems: [], framed: false };
  const boundary = /boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2] ?? '';
  if (value === '') return { problems: ['multipart message without boundary parameter'], framed: false };
  if (!rawLatin1.includes(`--${value}`))
    return { problems: [`multipart boundary "${value}" not found`], framed: false };
  if (!rawLatin1.includes(`--${value}--`)) {
    return { problems: ['multipart closing boundary missing (message may be truncated)'], framed: true };
  }
  return { problems: [], framed: true };
}
