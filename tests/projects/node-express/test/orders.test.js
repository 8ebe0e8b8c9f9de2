import assert from "node:assert/strict";
import { test } from "node:test";
import { orders } from "../routes/orders.js";

test("orders is a router", () => assert.equal(typeof orders, "function"));
