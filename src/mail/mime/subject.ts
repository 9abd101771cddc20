// Reply/forward prefixes used by common mail clients in various languages
// (Re, Fwd, AW/WG German, SV/VS/VB Nordic, Antw/Doorst Dutch, TR/RE French,
// RIF/R Italian is left out: too easy to hit real words, ODP/PD Polish, YNT/ILT
// Turkish, 回复/转发/答复 Chinese, 返信/転送 Japanese), optionally numbered
// (`Re[2]:`, `Re(2):`), followed by an ASCII or full-width colon.
const REPLY_PREFIX =
  /^(?:re|fwd?|aw|wg|sv|vs|vb|antw(?:oord)?|doorst|tr|ref|res|enc|odp|pd|ynt|ilt|atb|vl|回复|回覆|答复|转发|轉寄|返信|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;
/** Mailing-list tag such as `[dev-list]` or `[SPAM]`. */
const LIST_TAG = /^\[[^\]]{0,60}\]\s*/u;
/** Trailing forward marker used by some old clients: `Subject (fwd)`. */
const FWD_SUFFIX = /\s*\(fwd\)\s*$/i;

/**
 * The threading key of a subject: reply/forward prefixes and list tags removed
 * (repeatedly, so `Re: [list] AW: Fwd: x` gives `x`), whitespace collapsed and
 * lowercased. A comparison key, not for display.
 */
export function subjectForThreading(subject: string): string {
  let current = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const next = current.replace(REPLY_PREFIX, '').replace(LIST_TAG, '').replace(FWD_SUFFIX, '').trim();
    if (next === current) break;
    current = next;
  }
  return current.toLowerCase();
}
