// HTTP server. Runs as PID 1 in the container, so it handles SIGTERM itself.
import http from "node:http";
import { handler } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const server = http.createServer(handler);

server.listen(port, "0.0.0.0", () => {
  console.log(`node-hardened listening on port ${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
