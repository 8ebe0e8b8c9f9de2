import express from "express";
import { orders } from "./routes/orders.js";

const app = express();
app.get("/", (req, res) => res.send("orders\n"));
app.get("/health", (req, res) => res.send("ok\n"));
app.use("/orders", orders);

const port = process.env.PORT || 8081;
const server = app.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
