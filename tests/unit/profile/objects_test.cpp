// Generated columns, foreign-key actions and the extensions, functions and
// views a profile carries: read into the model, turned into the DDL a load runs
// (generated columns declared and left out of COPY, actions spelled as
// pg_get_constraintdef prints them), and refused with a position where they
// could not be built or would feed a generator nothing.
#include <gtest/gtest.h>

#include <string>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "profile_problems.hpp"

namespace pgshape {
namespace {

constexpr const char* kGood = R"yaml(name: shop
scales: {production: 100}
extensions: [pg_trgm]
functions:
  - name: norm
    definition: |
      CREATE OR REPLACE FUNCTION norm(t text)
       RETURNS text
       LANGUAGE sql
       IMMUTABLE
      AS $function$SELECT lower(t); $function$
views:
  - {name: paid, query: "SELECT id, email FROM users WHERE id > 10"}
  - {name: counts, materialized: true, query: "SELECT count(*) AS n FROM paid"}
tables:
  users:
    rows: 100
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: text, dist: pattern, pattern: "user####@x.org"}
      email_norm: {type: text, generated: "norm(email)", nullable: true}
      search: {type: tsvector, generated: "to_tsvector('simple'::regconfig, email)"}
  orders:
    rows: 100
    columns:
      id: {type: bigint, primary_key: true}
      user_id: {type: bigint, ref: users.id, on_delete: cascade, on_update: "SET NULL",
                deferrable: true, initially_deferred: true}
      seq: {type: integer}
    indexes:
      - {name: orders_id_seq, columns: [id, seq], unique: true}
  lines:
    rows: 100
    columns:
      order_id: {type: bigint, ref: orders.id}
      order_seq: {type: integer, dist: copy, from: order_id.seq}
    foreign_keys:
      - {columns: [order_id, order_seq], ref: "orders(id, seq)", on_delete: restrict,
         deferrable: true}
)yaml";

using testing::has;
using testing::problems;

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ProfileObjects, AreReadIntoTheModel) {
  const Profile p = parse_profile(kGood, "p.yaml");
  ASSERT_EQ(p.extensions.size(), 1u);
  EXPECT_EQ(p.extensions[0].name, "pg_trgm");
  ASSERT_EQ(p.functions.size(), 1u);
  EXPECT_EQ(p.functions[0].name, "norm");
  ASSERT_EQ(p.views.size(), 2u);
  EXPECT_FALSE(p.views[0].materialized);
  EXPECT_TRUE(p.views[1].materialized);
  const Table& users = *p.find_table("users");
  EXPECT_EQ(users.find_column("email_norm")->generated, "norm(email)");
  EXPECT_TRUE(users.find_column("search")->type.opaque) << "any type, since the server computes it";
  const Column& user_id = *p.find_table("orders")->find_column("user_id");
  EXPECT_EQ(user_id.ref->actions.sql(),
            " ON UPDATE SET NULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED");
  EXPECT_EQ(p.find_table("lines")->foreign_keys.at(0).actions.sql(),
            " ON DELETE RESTRICT DEFERRABLE");
}

TEST(ProfileObjects, LoadDeclaresGeneratedColumnsAndLeavesThemOutOfCopy) {
  const Profile p = parse_profile(kGood, "p.yaml");
  const Table& users = *p.find_table("users");
  const std::string ddl = load::create_table("s", users);
  EXPECT_NE(ddl.find("\"email_norm\" text GENERATED ALWAYS AS (norm(email)\n) STORED"),
            std::string::npos)
      << ddl;
  EXPECT_NE(ddl.find("\"search\" tsvector NOT NULL GENERATED ALWAYS AS"), std::string::npos) << ddl;
  EXPECT_EQ(load::column_list(users), "(\"id\", \"email\")");
  for (bool binary : {false, true})
    EXPECT_EQ(load::copy_statement("s", users, binary, false).find("email_norm"),
              std::string::npos);
}

TEST(ProfileObjects, LoadSpellsForeignKeyActionsAsPostgresPrintsThem) {
  const Profile p = parse_profile(kGood, "p.yaml");
  const auto orders = load::foreign_key_builds("s", *p.find_table("orders"));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_NE(orders[0].add.find("REFERENCES \"s\".\"users\" (\"id\") ON UPDATE SET NULL ON "
                               "DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID"),
            std::string::npos)
      << orders[0].add;
  const auto lines = load::foreign_key_builds("s", *p.find_table("lines"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].add.find("(\"id\", \"seq\") ON DELETE RESTRICT DEFERRABLE NOT VALID"),
            std::string::npos)
      << lines[0].add;
}

TEST(ProfileObjects, LoadCreatesViewsInTheSchemaAndExtensionsOutsideIt) {
  const Profile p = parse_profile(kGood, "p.yaml");
  const auto views = load::create_view_statements("s", p);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0], "CREATE VIEW \"s\".\"paid\" AS SELECT id, email FROM users WHERE id > 10\n");
  EXPECT_EQ(views[1].rfind("CREATE MATERIALIZED VIEW \"s\".\"counts\" AS ", 0), 0u);
  EXPECT_EQ(load::create_extension_statements(p),
            (std::vector<std::string>{"CREATE EXTENSION IF NOT EXISTS \"pg_trgm\""}));
}

TEST(ProfileObjects, AGeneratedColumnTakesNoGeneratorKeysAndFeedsNoGenerator) {
  const std::string base = kGood;
  for (const char* key : {"dist: uniform", "unique: true", "primary_key: true", "ref: orders.id",
                          "null_fraction: 0.5", "min: 1"}) {
    const auto list = problems(with(base, "generated: \"norm(email)\"",
                                    std::string("generated: \"norm(email)\", ") + key));
    EXPECT_TRUE(has(list, "is generated (GENERATED ALWAYS AS ... STORED)")) << key;
  }
  EXPECT_TRUE(has(problems(with(base, "generated: \"norm(email)\"", "generated: \"\"")),
                  "generated: of column 'users.email_norm' is empty"));
  EXPECT_TRUE(has(problems(with(base, "generated: \"norm(email)\"",
                                "generated: \"lower(email)); DROP TABLE x; --\"")),
                  "generated: of column 'users.email_norm'"));
  // A copy (or a foreign key) reading a generated parent column reads nothing.
  const std::string copies = with(base, "seq: {type: integer}",
                                  "seq: {type: integer}\n      label: {type: text, "
                                  "generated: \"'x'\"}");
  EXPECT_TRUE(
      has(problems(with(copies, "order_seq: {type: integer, dist: copy, from: order_id.seq}",
                        "order_seq: {type: text, dist: copy, from: order_id.label}")),
          "orders.label, a generated column"));
}

TEST(ProfileObjects, ActionsAreCheckedWords) {
  const std::string base = kGood;
  EXPECT_TRUE(has(problems(with(base, "on_delete: cascade", "on_delete: explode")),
                  "on_delete of column 'orders.user_id' cannot be 'explode'"));
  EXPECT_TRUE(has(problems(with(base, "deferrable: true, initially_deferred: true",
                                "initially_deferred: true")),
                  "initially deferred but not deferrable"));
  EXPECT_TRUE(
      has(problems(with(base, "seq: {type: integer}", "seq: {type: integer, on_delete: cascade}")),
          "has foreign-key actions but no ref"));
}

TEST(ProfileObjects, FunctionsAndViewsMustBeOneStatementOfTheirKind) {
  const std::string base = kGood;
  EXPECT_TRUE(has(problems(with(base, "CREATE OR REPLACE FUNCTION norm(t text)",
                                "CREATE OR REPLACE FUNCTION public.norm(t text)")),
                  "must create 'norm' by that name alone, not schema-qualified"));
  EXPECT_TRUE(has(problems(with(base, "CREATE OR REPLACE FUNCTION norm(t text)",
                                "DROP TABLE users; CREATE FUNCTION norm(t text)")),
                  "definition of function 'norm' must be one statement"));
  EXPECT_TRUE(has(problems(with(base, "CREATE OR REPLACE FUNCTION norm(t text)",
                                "CREATE OR REPLACE FUNCTION other(t text)")),
                  "must create 'norm'"));
  EXPECT_TRUE(has(problems(with(base, "SELECT id, email FROM users WHERE id > 10",
                                "SELECT 1; DROP SCHEMA public CASCADE")),
                  "query of view 'paid' must be one statement"));
  EXPECT_TRUE(has(problems(with(base, "SELECT id, email FROM users WHERE id > 10",
                                "DELETE FROM users RETURNING id")),
                  "must be a query (SELECT, WITH, VALUES or TABLE), not DELETE"));
  EXPECT_TRUE(has(problems(with(base, "{name: paid,", "{name: users,")),
                  "view 'users' has the name of a table"));
  EXPECT_TRUE(problems(kGood).empty());
}

}  // namespace
}  // namespace pgshape
