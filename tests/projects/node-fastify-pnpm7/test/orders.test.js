const assert = require("node:assert");
const test = require("node:test");

test("open orders leave out shipped ones", () => {
  const { openOrders } = require("../dist/orders.js");
  const orders = [
    { id: 1, status: "open" },
    { id: 2, status: "shipped" },
  ];
  assert.deepStrictEqual(openOrders(orders), [{ id: 1, status: "open" }]);
});
