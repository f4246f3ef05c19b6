const test = require("node:test");
const assert = require("node:assert");
const isNumber = require("is-number");
const { count } = require("..");

test("counts the words of a sentence", () => {
  const counted = count("the quick brown fox");
  assert.ok(isNumber(counted.words));
  assert.strictEqual(counted.words, 4);
  assert.strictEqual(counted.longest, "quick");
});
