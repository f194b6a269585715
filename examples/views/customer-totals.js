// Running total of confirmed orders per customer, from the workflow's `shop.orders` OrderConfirmed events.
// evt replay customer-totals --view-file examples/views/customer-totals.js
export default {
  name: 'customer-totals',
  topics: ['shop.orders'],
  key: 'customer',
  columns: {
    customer: 'TEXT',
    orders: 'INTEGER',
    total: 'INTEGER',
    currency: 'TEXT',
    last_order: 'TEXT',
    skus: 'JSON',
  },
  apply(event, view) {
    const order = event.value;
    if (order === null || order.eventType !== 'OrderConfirmed') return;
    if (typeof order.total !== 'number') throw new Error(`order ${order.orderId} has no total`);
    const row = view.get(order.customerId) ?? { orders: 0, total: 0, skus: [] };
    const skus = [...new Set([...row.skus, ...order.lines.map((l) => l.sku)])].sort();
    view.upsert({
      customer: order.customerId,
      orders: row.orders + 1,
      total: row.total + order.total,
      currency: order.currency,
      last_order: order.orderId,
      skus,
    });
  },
};
