// HTTP server. Runs as PID 1 in the container, so it handles SIGTERM itself.
import http from "node:http";
import { handler } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
// How long requests in flight may take to finish once asked to stop: under the 10 s after
// which `docker stop` (and Kubernetes' default grace period, 30 s) kills the process.
const SHUTDOWN_GRACE_MS = 8000;
let stopping = false;

const server = http.createServer((req, res) => {
  // While stopping, each answer closes its connection, so no client keeps one alive.
  if (stopping) res.setHeader("connection", "close");
  handler(req, res);
});

server.listen(port, "0.0.0.0", () => {
  console.log(`node-hardened listening on port ${port}`);
});

// Stop accepting connections, close the idle ones, let requests in flight finish, then exit;
// whatever is still open after the grace period is cut.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  });
}
