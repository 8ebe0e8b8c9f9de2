import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "../build.mjs";

test("build links the page to its hashed script", async () => {
  const out = await mkdtemp(join(tmpdir(), "dist-"));
  try {
    const hashed = await build(out);
    assert.match(hashed, /^app\.[0-9a-f]{12}\.js$/);
    const page = await readFile(join(out, "index.html"), "utf8");
    assert.ok(page.includes(`/assets/${hashed}`));
    await readFile(join(out, "assets", hashed));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
