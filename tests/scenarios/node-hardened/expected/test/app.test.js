import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { handler } from "../src/app.js";

let server;
let base;

before(async () => {
  server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("health route answers ok", async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "ok\n");
});

test("root names the service", async () => {
  const res = await fetch(`${base}/`);
  assert.deepEqual(await res.json(), { service: "node-hardened", message: "hello" });
});
