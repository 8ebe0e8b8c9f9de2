const fs = require("fs");
const path = require("path");
const sqlite3 = require("sqlite3");

// The database lives outside the code, in a folder of its own (a volume wherever it is deployed).
const location = process.env.SQLITE_DB_LOCATION || "/var/lib/todo-list/todo.db";
let db;

function run(sql, params = []) {
  return new Promise((resolve, reject) =>
    db.run(sql, params, function done(err) {
      if (err) reject(err);
      else resolve(this);
    }),
  );
}

async function open() {
  fs.mkdirSync(path.dirname(location), { recursive: true });
  db = await new Promise((resolve, reject) => {
    const opened = new sqlite3.Database(location, (err) => (err ? reject(err) : resolve(opened)));
  });
  await run("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
}

function all() {
  return new Promise((resolve, reject) =>
    db.all("SELECT id, name FROM items ORDER BY id", (err, rows) => (err ? reject(err) : resolve(rows))),
  );
}

async function add(name) {
  const result = await run("INSERT INTO items (name) VALUES (?)", [name]);
  return { id: result.lastID, name };
}

function close() {
  return new Promise((resolve) => db.close(() => resolve()));
}

module.exports = { open, all, add, close };
