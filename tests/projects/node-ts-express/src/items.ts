export interface Item {
  sku: string;
  count: number;
}

export function items(): Item[] {
  return [{ sku: "A-100", count: 3 }];
}
