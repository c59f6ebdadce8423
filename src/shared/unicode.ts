/**
 * Text as the sync protocol counts it (docs/sync-protocol.md 4.1): a character is a Unicode code
 * point, so an emoji written as a surrogate pair is one character, as it is to a person and to a
 * server in any other language; JavaScript's `length` would count it twice.
 */

export function codePointLength(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/** With the u flag, a surrogate that is half of a pair is read as part of its code point: only lone ones match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** False when the text holds a lone surrogate (a `\ud800` escape in JSON): not Unicode text, and no UTF-8 for it. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
