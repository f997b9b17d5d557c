-- The incident's fix: a composite partial index that serves the listing's
-- filter (category_id, active) and its sort (featured DESC, created_at DESC).
CREATE INDEX idx_products_category_listing
ON products (category_id, active, featured DESC, created_at DESC)
WHERE active = true;
