import express from "express";
import { shelved } from "@shelf/shared";

const app = express();
const port = process.env.PORT || 3000;

app.get("/health", (_req, res) => {
  res.type("text/plain").send("ok\n");
});

app.get("/books", (_req, res) => {
  res.json(shelved());
});

app.listen(port, () => {
  console.log(`shelf api listening on ${port}`);
});
