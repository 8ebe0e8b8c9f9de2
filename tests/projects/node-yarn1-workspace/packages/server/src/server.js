const express = require("express");
const { allTasks } = require("@tasks/core");

const app = express();
const port = process.env.PORT || 8080;

app.get("/health", (req, res) => res.type("text/plain").send("ok\n"));
app.get("/tasks", (req, res) => res.json(allTasks()));

if (require.main === module) {
  app.listen(port, () => console.log(`tasks server listening on ${port}`));
}

module.exports = app;
