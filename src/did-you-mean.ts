// "Did you mean": the known names a mistyped one most likely stands for. A stage is usually typed
// by its number (`2a1` for 2a1-binutils), so a prefix counts first; then names within a small edit
// distance (`kvmm`, `--acel`). Empty when nothing is close: the caller then lists what is known.

/** Edit distance: insert, delete, substitute or swap two neighbours (`biuld`), 1 each. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** At most `max` known names close to `word`, best first. */
export function closeNames(word: string, known: readonly string[], max = 3): string[] {
  const lower = word.toLowerCase();
  if (lower === "") return [];
  const prefixed = known.filter((name) => name.toLowerCase().startsWith(lower));
  if (prefixed.length > 0) return prefixed.slice(0, max);
  // A third of the word may be wrong (one typo in a short name, two in a long one).
  const allowed = Math.max(1, Math.floor(lower.length / 3));
  return known
    .map((name) => ({ name, d: distance(lower, name.toLowerCase()) }))
    .filter(({ d }) => d <= allowed)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, max)
    .map(({ name }) => name);
}

/** "did you mean X?", "did you mean X or Y?", or undefined when nothing is close. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const close = closeNames(word, known);
  if (close.length === 0) return undefined;
  const listed = close.length === 1 ? close[0] : `${close.slice(0, -1).join(", ")} or ${close.at(-1)}`;
  return `did you mean ${listed}?`;
}
