const app = require('./app');

// No SIGTERM handler, like most Express apps: the container's init has to stop it.
const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`Listening on port ${port}`));
