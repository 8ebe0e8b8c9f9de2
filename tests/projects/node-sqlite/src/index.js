const express = require("express");
const db = require("./db");

const app = express();
app.use(express.json());

app.get("/health", (req, res) => res.send("ok\n"));

// Reading and writing the database proves the native addon loads in the image.
app.get("/items", async (req, res, next) => {
  try {
    res.json(await db.all());
  } catch (err) {
    next(err);
  }
});
app.post("/items", async (req, res, next) => {
  try {
    res.status(201).json(await db.add(String(req.body.name || "")));
  } catch (err) {
    next(err);
  }
});

db.open()
  .then(() => {
    const port = process.env.PORT || 3000;
    const server = app.listen(port, () => console.log(`listening on ${port}`));
    process.on("SIGTERM", () => server.close(() => db.close().then(() => process.exit(0))));
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
