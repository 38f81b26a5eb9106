/** Edit distance between two short strings (keys, enum values, rep names). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(above + 1, (prev[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate when it is close enough to be a typo, else undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  // A shortened key ("half_life" for "half_life_days") is a typo too, whatever the distance.
  const prefixed = [...candidates].filter((c) => needle.length >= 3 && c.toLowerCase().startsWith(needle));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(needle.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** "did you mean "points"?" or a list of what is allowed. */
export function suggest(word: string, candidates: readonly string[], what = "allowed"): string {
  const close = didYouMean(word, candidates);
  if (close !== undefined) return `did you mean "${close}"?`;
  return candidates.length === 0 ? "nothing is defined there yet" : `${what}: ${candidates.join(", ")}`;
}
