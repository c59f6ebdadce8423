/**
 * Whether a typed name could be another spelling of a name already stored ("Aminah" / "Amina",
 * "Mohamed" / "Mohammed", "Fatuma" / "Fatima"): what field workers register twice when they do not
 * find the first one. Words are compared as the search index compares them: case and accents aside.
 */

/** Words this short are still being typed: they match the start of a word, as a search does. */
const SHORTEST_VARIANT = 4;
/** From this length on, two slips (letters added, dropped, changed or swapped) still name the same word. */
const LONG_WORD = 8;

/** Lower case, accents removed, split on anything that is not a letter or digit. */
export function nameWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Every typed word is a spelling of (or, while short, the start of) some word of `stored`. */
export function namesAlike(typed: readonly string[], stored: readonly string[]): boolean {
  return typed.every((word) => stored.some((other) => wordsAlike(word, other)));
}

function wordsAlike(typed: string, stored: string): boolean {
  if (stored.startsWith(typed)) return true;
  if (typed.length < SHORTEST_VARIANT) return false;
  const slips = typed.length >= LONG_WORD ? 2 : 1;
  return Math.abs(typed.length - stored.length) <= slips && editDistance(typed, stored) <= slips;
}

/** Letters inserted, deleted, substituted or two neighbours swapped (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
