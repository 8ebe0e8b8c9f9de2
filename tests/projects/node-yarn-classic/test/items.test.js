const assert = require('node:assert/strict');
const { test } = require('node:test');
const items = require('../src/items');

test('an added item is listed, not completed', () => {
    const item = items.add('buy milk');
    assert.equal(item.completed, false);
    assert.deepEqual(items.all(), [item]);
});
