// How many words, and which one comes most often.
function main(args) {
  const words = (args.text || '').toLowerCase().match(/[a-z']+/g) || [];
  const counts = {};
  for (const word of words) {
    counts[word] = (counts[word] || 0) + 1;
  }
  const top = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || a.localeCompare(b))[0];
  console.log(`counted ${words.length} words`);
  return { body: { words: words.length, top: top || null } };
}
