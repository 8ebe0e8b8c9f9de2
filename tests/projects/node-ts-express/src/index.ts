import express from "express";

import { items } from "./items";

const app = express();
const port = process.env.PORT || 4000;

app.get("/health", (_req, res) => {
  res.type("text/plain").send("ok\n");
});

app.get("/items", (_req, res) => {
  res.json(items());
});

app.listen(port, () => {
  console.log(`inventory-api listening on ${port}`);
});
