function count(text) {
  const words = text.split(/\s+/).filter(Boolean);
  const longest = words.reduce((best, word) => (word.length > best.length ? word : best), "");
  return { words: words.length, longest };
}

function main(args) {
  return count(String(args.text || ""));
}

module.exports = { main, count };
