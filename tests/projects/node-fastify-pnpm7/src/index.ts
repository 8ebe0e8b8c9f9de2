import Fastify from "fastify";

import { openOrders } from "./orders";

const app = Fastify({ logger: true });
const port = Number(process.env.PORT || 3000);

app.get("/health", async (_request, reply) => {
  reply.type("text/plain");
  return "ok\n";
});

app.get("/orders", async () =>
  openOrders([
    { id: 1, status: "open" },
    { id: 2, status: "shipped" },
  ]),
);

app.listen({ port, host: "0.0.0.0" }).catch((error) => {
  app.log.error(error);
  process.exit(1);
});
