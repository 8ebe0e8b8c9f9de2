const test = require("node:test");
const assert = require("node:assert");
const os = require("os");
const path = require("path");

process.env.SQLITE_DB_LOCATION = path.join(os.tmpdir(), `todo-test-${process.pid}`, "todo.db");
const db = require("../src/db");

test("an added item is read back from the database file", async () => {
  await db.open();
  const added = await db.add("buy milk");
  assert.deepStrictEqual(await db.all(), [added]);
  await db.close();
});
