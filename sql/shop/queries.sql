-- Queries the shop profile captures plans for. Each block starts with a
-- `-- name: x` line; profiles refer to it as sql/shop/queries.sql#x.

-- name: listing
-- The incident's product listing: fine at 12K rows, 1.8 s at 340K with the wrong index.
SELECT id, name, price, created_at
FROM products
WHERE category_id = $1
  AND active = true
ORDER BY featured DESC, created_at DESC
LIMIT 20;

-- name: customer_orders
-- A customer's latest orders.
SELECT id, status, total, created_at
FROM orders
WHERE customer_id = $1
ORDER BY created_at DESC
LIMIT 20;

-- name: product_sales
-- Units sold and revenue of one product: the promoted ones carry most of the items.
SELECT count(*) AS items, sum(quantity) AS units, sum(quantity * price) AS revenue
FROM order_items
WHERE product_id = $1;

-- name: product_detail
-- The product page the campaign email linked to.
SELECT p.id, p.name, p.description, p.price, p.stock, c.name AS category
FROM products p
JOIN categories c ON c.id = p.category_id
WHERE p.id = $1;

-- name: add_to_cart
-- Reserve one unit. During the burst this row lock is what the hot products' buyers queue on.
UPDATE products
SET stock = stock - 1
WHERE id = $1
RETURNING stock;
