const assert = require("node:assert");
const { test } = require("node:test");
const request = require("supertest");

const app = require("../src/server");

test("GET /tasks lists the tasks", async () => {
  const response = await request(app).get("/tasks");
  assert.strictEqual(response.status, 200);
  assert.strictEqual(response.body[0].title, "Write the Dockerfile");
});
