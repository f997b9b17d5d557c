// Test support for the stats integration tests (owned by the stats module):
// a throwaway "production" database with the shapes a real one has, and a
// mirror database, both created on the test server and dropped at the end.
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape::testing {

// The test DSN pointed at another database (key=value or URI form).
inline std::string dsn_for_database(const std::string& dsn, const std::string& database) {
  if (dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0) {
    const size_t hosts = dsn.find("://") + 3;
    const size_t slash = dsn.find('/', hosts);
    const size_t query = dsn.find('?', hosts);
    std::string head = dsn.substr(0, slash == std::string::npos ? query : slash);
    std::string tail = query == std::string::npos ? "" : dsn.substr(query);
    return head + "/" + database + tail;
  }
  return dsn + " dbname=" + database;  // a later keyword wins in libpq conninfo
}

// Creates a database and drops it (with its connections) when destroyed.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& prefix) : name_(unique_name(prefix)) {
    pqxx::connection admin(test_dsn());
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
    dsn_ = dsn_for_database(test_dsn(), name_);
  }
  ~ScratchDatabase() {
    try {
      pqxx::connection admin(test_dsn());
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (...) {
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& name() const { return name_; }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string dsn_;
};

// A shop with production's shapes, deterministic (setseed) and about `scale` x
// 110,000 rows: Zipf category sizes and customer activity, three hot customers and
// three promoted products, NULLs, a rare status and a rare boolean, timestamps that
// follow the ids and some that do not, text of varied width, partial and composite
// indexes and foreign keys. ANALYZEd at the end.
inline void build_production(const std::string& dsn, double scale = 1.0) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  const auto n = [&](double rows) { return std::to_string(static_cast<long>(rows * scale)); };
  tx.exec("SELECT setseed(0.4242)");
  tx.exec0(R"(
    CREATE TABLE customers (
      id bigint PRIMARY KEY,
      email text NOT NULL UNIQUE,
      name text NOT NULL,
      city text,
      vip boolean NOT NULL,
      created_at timestamptz NOT NULL))");
  tx.exec0(R"(
    INSERT INTO customers
    SELECT g, substr(md5('e' || g), 1, 6) || g || '@example.com',
           substr(md5(g::text), 1, 4 + (g % 17)),
           CASE WHEN random() < 0.15 THEN NULL
                ELSE (ARRAY['Berlin','Paris','Oslo','Rome','Madrid','Lisbon','Vienna','Prague',
                            'Warsaw','Dublin','Athens','Helsinki'])[1 + floor(12 * power(random(), 2))::int] END,
           random() < 0.002,
           timestamptz '2018-01-01 00:00:00+00' + g * interval '37 minutes'
    FROM generate_series(1, )" +
           n(20000) + ") g");
  tx.exec0(R"(
    CREATE TABLE products (
      id bigint PRIMARY KEY,
      category_id integer NOT NULL,
      name text NOT NULL,
      description text,
      price numeric(10,2) NOT NULL,
      featured boolean NOT NULL,
      created_at timestamptz NOT NULL))");
  tx.exec0(R"(
    INSERT INTO products
    SELECT g,
           least(800, floor(exp(random() * ln(800)))::int),
           'product ' || substr(md5((g * 7)::text), 1, 3 + (g % 11)),
           CASE WHEN random() < 0.3 THEN NULL
                ELSE repeat(substr(md5(g::text), 1, 10), 1 + (g % 9)) END,
           round((exp(3 + random() * 3))::numeric, 2),
           random() < 0.02,
           timestamptz '2017-01-01 00:00:00+00' + random() * interval '2000 days'
    FROM generate_series(1, )" +
           n(10000) + ") g");
  tx.exec0(R"(
    CREATE TABLE orders (
      id bigint PRIMARY KEY,
      customer_id bigint NOT NULL REFERENCES customers (id),
      status text NOT NULL,
      note text,
      total numeric(12,2) NOT NULL,
      created_at timestamptz NOT NULL))");
  tx.exec0(R"(
    INSERT INTO orders
    SELECT g,
           CASE WHEN r1 < 0.15 THEN (ARRAY[17, 4242, 9999])[1 + floor(random() * 3)::int]
                ELSE least()" +
           n(20000) + R"(, floor(exp(random() * ln()" + n(20000) + R"()))::bigint) END,
           CASE WHEN r2 < 0.0005 THEN 'refunded' WHEN r2 < 0.02 THEN 'cancelled'
                WHEN r2 < 0.08 THEN 'pending' WHEN r2 < 0.2 THEN 'shipped' ELSE 'delivered' END,
           CASE WHEN random() < 0.6 THEN NULL ELSE repeat('n', 1 + floor(random() * 60)::int) END,
           round((exp(2 + random() * 4))::numeric, 2),
           timestamptz '2019-01-01 00:00:00+00' + g * interval '20 minutes'
             + random() * interval '2 days'
    FROM (SELECT g, random() AS r1, random() AS r2 FROM generate_series(1, )" +
           n(50000) + R"() g) s)");
  tx.exec0(R"(
    CREATE TABLE order_items (
      id bigint PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders (id),
      product_id bigint NOT NULL REFERENCES products (id),
      quantity smallint NOT NULL))");
  tx.exec0(R"(
    INSERT INTO order_items
    SELECT g,
           1 + (g - 1) * )" +
           n(50000) + " / " + n(30000) + R"(,
           CASE WHEN r < 0.4 THEN (ARRAY[7, 77, 777])[1 + floor(random() * 3)::int]
                ELSE 1 + floor(random() * )" +
           n(10000) + R"()::bigint END,
           (ARRAY[1, 1, 1, 1, 1, 1, 2, 2, 3, 5])[1 + floor(random() * 10)::int]
    FROM (SELECT g, random() AS r FROM generate_series(1, )" +
           n(30000) + R"() g) s)");
  tx.exec0("CREATE INDEX orders_customer_idx ON orders (customer_id)");
  tx.exec0("CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC)");
  tx.exec0("CREATE INDEX orders_open_idx ON orders (status) WHERE status <> 'delivered'");
  tx.exec0("CREATE INDEX orders_created_idx ON orders (created_at)");
  tx.exec0("CREATE INDEX order_items_order_idx ON order_items (order_id)");
  tx.exec0("CREATE INDEX order_items_product_idx ON order_items (product_id)");
  tx.exec0("CREATE INDEX products_category_idx ON products (category_id)");
  tx.exec0("CREATE INDEX products_featured_idx ON products (created_at DESC) WHERE featured");
  tx.exec0("CREATE INDEX customers_vip_idx ON customers (vip) WHERE vip");
  tx.commit();
  pqxx::nontransaction analyze(conn);
  // Production is vacuumed (autovacuum): all-visible pages make index-only scans
  // as cheap there as on a freshly frozen mirror. VACUUM marks a page all-visible
  // only when no snapshot in the database is older than its rows, and one is,
  // now and then, right after the load (measured: relallvisible 0 of 221 pages
  // in 1 run of 4, flipping a plan): vacuum again until every page is.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    analyze.exec0("VACUUM ANALYZE");
    const auto behind =
        analyze
            .exec1(
                "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "AND c.relallvisible < c.relpages")[0]
            .as<int>();
    if (behind == 0 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The fixture's workload: queries over production's skewed columns, each at the
// most common and a rare value of its parameter.
inline std::vector<Query> production_workload() {
  auto q = [](std::string name, std::string sql, std::string table, std::string column) {
    Query query{.name = std::move(name), .sql = std::move(sql)};
    if (!table.empty())
      query.params.push_back(QueryParam{
          .table = std::move(table),
          .column = std::move(column),
          .picks = {Pick{.kind = Pick::Kind::kMostCommon}, Pick{.kind = Pick::Kind::kRare}}});
    return query;
  };
  return {
      q("orders_by_customer", "SELECT * FROM orders WHERE customer_id = $1", "orders",
        "customer_id"),
      q("orders_by_status", "SELECT * FROM orders WHERE status = $1", "orders", "status"),
      q("items_of_product", "SELECT count(*) FROM order_items WHERE product_id = $1", "order_items",
        "product_id"),
      q("category_listing",
        "SELECT * FROM products WHERE category_id = $1 ORDER BY created_at DESC LIMIT 20",
        "products", "category_id"),
      q("customers_by_vip", "SELECT id, email FROM customers WHERE vip = $1", "customers", "vip"),
      q("customer_order_items",
        "SELECT o.id, sum(oi.quantity) FROM orders o JOIN order_items oi ON oi.order_id = o.id "
        "WHERE o.customer_id = $1 GROUP BY o.id",
        "orders", "customer_id"),
      q("latest_orders_of_customer",
        "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10", "orders",
        "customer_id"),
      q("featured_products",
        "SELECT id, name FROM products WHERE featured ORDER BY created_at DESC LIMIT 10", "", ""),
      q("open_orders_by_city",
        "SELECT c.city, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.status = $1 GROUP BY c.city",
        "orders", "status"),
  };
}

}  // namespace pgshape::testing
