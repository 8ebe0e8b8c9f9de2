import assert from "node:assert/strict";
import { test } from "node:test";
import { health } from "../src/health.mjs";

test("health route answers ok", () => {
  assert.equal(health(), "ok\n");
});
