import { contentTypeLines } from './charset.ts';
import { hasUndecodableWords, reencodeUndecodableWords } from './encoded-words.ts';

/** The boundaries declared by any Content-Type of the message (RFC 2046 §5.1.1). */
function boundariesOf(binary: string): Set<string> {
  const found = new Set<string>();
  for (const line of contentTypeLines(binary)) {
    const match = /boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/i.exec(line);
    const value = match?.[1] ?? match?.[2] ?? '';
    if (value !== '') found.add(value);
  }
  return found;
}

/**
 * The message as mailparser should read it: in every header section (the
 * message's and each part's, which starts after a boundary line), encoded
 * words mailparser would decode wrongly are rewritten as UTF-8 words (see
 * reencodeUndecodableWords). Bodies are untouched; an encoded word never
 * spans a line (it holds no whitespace), so lines are rewritten one by one.
 * Returns the input itself when there is nothing to rewrite.
 */
export function withDecodableHeaderWords(raw: Buffer): Buffer {
  const binary = raw.toString('latin1');
  if (!hasUndecodableWords(binary)) return raw;
  const boundaries = boundariesOf(binary);
  let inHeader = true;
  let changed = false;
  const lines = binary.split(/(?<=\n)/).map((line) => {
    const content = line.replace(/\r?\n$/, '');
    if (inHeader) {
      if (content === '') inHeader = false;
      const rewritten = reencodeUndecodableWords(line);
      changed ||= rewritten !== line;
      return rewritten;
    }
    const delimiter = /^--(.*?)[ \t]*$/.exec(content)?.[1];
    if (delimiter !== undefined && boundaries.has(delimiter)) inHeader = true;
    return line;
  });
  return changed ? Buffer.from(lines.join(''), 'latin1') : raw;
}
