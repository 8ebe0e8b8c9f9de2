const assert = require("node:assert");
const { test } = require("node:test");

const { shelved } = require("@shelf/shared");

test("the shared package lists the shelf", () => {
  assert.strictEqual(shelved()[0].isbn, "978-0-13-468599-1");
});
