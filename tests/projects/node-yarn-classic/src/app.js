const express = require('express');
const path = require('path');
const items = require('./items');

const app = express();
app.use(express.json());
app.use(express.static(path.join(__dirname, 'static')));

app.get('/health', (req, res) => res.type('text/plain').send('ok\n'));
app.get('/items', (req, res) => res.json(items.all()));
app.post('/items', (req, res) => res.status(201).json(items.add(req.body.name)));

module.exports = app;
