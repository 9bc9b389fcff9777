// Deterministic answer scoring: the same answer always gets the same score, so tests can rely on it.

const MAX_SCORE = 10;

/** Scores an answer 0..10 from how many distinct words it has and whether it uses the question's keywords. */
export function scoreAnswer(answer: string, keywords: readonly string[]): number {
  const words = answer.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  if (words.length === 0) return 0;
  const distinct = new Set(words);
  const breadth = Math.min(6, Math.floor(distinct.size / 5));
  const hits = keywords.filter((keyword) => distinct.has(keyword)).length;
  const relevance = Math.min(4, hits);
  return Math.min(MAX_SCORE, breadth + relevance);
}
