const { test } = require("node:test");
const assert = require("node:assert");

test("the package declares its build output as main", () => {
  assert.strictEqual(require("../package.json").main, "dist/index.js");
});
