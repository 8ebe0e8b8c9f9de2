const { v4: uuid } = require('uuid');

// An in-memory list; the real app would keep these in a database.
const items = [];

function add(name) {
    const item = { id: uuid(), name, completed: false };
    items.push(item);
    return item;
}

function all() {
    return items.slice();
}

module.exports = { add, all };
