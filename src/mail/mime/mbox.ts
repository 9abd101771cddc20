const FROM_ENVELOPE = Buffer.from('From ');

/**
 * Drops a leading mbox envelope line (`From sender date`), which is not a header
 * and would otherwise be read as a broken first header line. Returns the input
 * itself when there is no envelope line.
 */
export function stripMboxEnvelope(raw: Buffer): Buffer {
  if (raw.length < FROM_ENVELOPE.length || !raw.subarray(0, FROM_ENVELOPE.length).equals(FROM_ENVELOPE)) {
    return raw;
  }
  const lineEnd = raw.indexOf(0x0a);
  return lineEnd === -1 ? raw.subarray(raw.length) : raw.subarray(lineEnd + 1);
}
