import { Router } from "express";

export const orders = Router();
orders.get("/", (req, res) => res.json([]));
