export interface Order {
  id: number;
  status: "open" | "shipped";
}

export function openOrders(orders: Order[]): Order[] {
  return orders.filter((order) => order.status === "open");
}
