// Request handling, kept apart from the server so tests can call it directly.

/** Answer the health check and a JSON greeting. */
export function handler(req, res) {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ service: "node-hardened", message: "hello" }) + "\n");
}
