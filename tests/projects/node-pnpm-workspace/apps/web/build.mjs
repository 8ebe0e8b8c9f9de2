// Writes the site to dist/, with the shelf listed from the shared package's build output.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const { shelved } = createRequire(import.meta.url)("@shelf/shared");
const books = shelved()
  .map((book) => `<li>${book.title}</li>`)
  .join("");
const page = readFileSync("src/index.html", "utf8").replace("<!-- books -->", `<ul>${books}</ul>`);
mkdirSync("dist", { recursive: true });
writeFileSync("dist/index.html", page);
