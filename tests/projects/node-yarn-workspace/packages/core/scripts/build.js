// Writes lib/ from src/: the package's consumers load the built copy, as with a compiler.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
fs.mkdirSync(path.join(root, "lib"), { recursive: true });
for (const name of fs.readdirSync(path.join(root, "src"))) {
  const source = fs.readFileSync(path.join(root, "src", name), "utf8");
  fs.writeFileSync(path.join(root, "lib", name), `"use strict";\n${source}`);
}
