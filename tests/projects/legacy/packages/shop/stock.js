// What is left of an item in the shop's warehouse.
const SHELVES = { mug: 12, poster: 0 };

function main(params) {
  const item = params.item || 'mug';
  const left = SHELVES[item] ?? 0;
  return { item, left, warehouse: params.warehouse, inStock: left > 0 };
}
