// Static build: copies src/ to dist/, giving the script a content hash so it can be cached for a year.
// `node build.mjs --serve PORT` builds into a temporary folder and serves it, for development.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Build the site into outDir and return the hashed script's file name. */
export async function build(outDir = join(root, "dist")) {
  const script = await readFile(join(root, "src", "app.js"));
  const hashed = `app.${createHash("sha256").update(script).digest("hex").slice(0, 12)}.js`;
  const page = await readFile(join(root, "src", "index.html"), "utf8");
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });
  await writeFile(join(outDir, "assets", hashed), script);
  await writeFile(join(outDir, "index.html"), page.replace("/assets/app.js", `/assets/${hashed}`));
  return hashed;
}

/** Serve outDir like the production nginx does: health route, files, index.html fallback. */
function serve(outDir, port) {
  const types = { ".html": "text/html", ".js": "text/javascript" };
  http
    .createServer(async (req, res) => {
      if (req.url === "/healthz") return res.end("ok\n");
      const path = new URL(req.url, "http://localhost").pathname;
      const file = path.startsWith("/assets/") ? join(outDir, path) : join(outDir, "index.html");
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    })
    .listen(port, "0.0.0.0", () => console.log(`serving ${outDir} on port ${port}`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--serve");
  const outDir = at === -1 ? join(root, "dist") : join(tmpdir(), "dist");
  const hashed = await build(outDir);
  console.log(`built ${outDir} (assets/${hashed})`);
  if (at !== -1) serve(outDir, Number(process.argv[at + 1]));
}
