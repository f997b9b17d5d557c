// Profile parsing: good profiles load with the right model, and every bad
// profile named by issue 2 is refused with its message, line and column — in
// process (the Diagnostic) and through the CLI (exit code 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

TEST(ColumnTypes, CharacterNIsReadInEverySpellingAndWrittenAsPostgreSQLDoes) {
  for (const char* spelling : {"char(84)", "character(84)", "bpchar(84)", "CHAR (84)"}) {
    auto type = parse_column_type(spelling);
    ASSERT_TRUE(type) << spelling;
    EXPECT_EQ(type->kind, PgType::kChar) << spelling;
    EXPECT_EQ(type->max_chars(), 84) << spelling;
    EXPECT_TRUE(type->is_textual()) << spelling;
    EXPECT_EQ(type->sql(), "character(84)") << spelling;
    EXPECT_EQ(parse_column_type(type->sql())->sql(), "character(84)");
  }
  // Unquoted char alone is character(1), as in PostgreSQL.
  for (const char* spelling : {"char", "character", "bpchar"})
    EXPECT_EQ(parse_column_type(spelling)->sql(), "character(1)") << spelling;
  for (const char* bad : {"char(0)", "char(2,1)", "character(-1)", "char(x)"})
    EXPECT_FALSE(parse_column_type(bad)) << bad;
  EXPECT_EQ(parse_column_type("varchar(9)")->max_chars(), 9);
  EXPECT_EQ(parse_column_type("text")->max_chars(), 0);
}

// bench/run.sh's like-for-like run (d) compares with pgbench -i only while
// this profile has pgbench's tables, rows per scale and keys.
TEST(ProfileParser, BenchProfileHasPgbenchsTablesRowsAndKeys) {
  const Profile p = load_profile(std::string(PGSHAPE_SOURCE_DIR) + "/bench/pgbench.yaml");
  const Scale& s47 = *p.find_scale("s47");
  struct Expect {
    const char* table;
    int64_t rows;
    const char* key;
  };
  for (auto e : {Expect{"pgbench_branches", 47, "bid"}, Expect{"pgbench_tellers", 470, "tid"},
                 Expect{"pgbench_accounts", 4'700'000, "aid"}}) {
    const Table* t = p.find_table(e.table);
    ASSERT_NE(t, nullptr) << e.table;
    EXPECT_EQ(p.rows(*t, s47), e.rows) << e.table;
    EXPECT_EQ(t->primary_key, std::vector<std::string>{e.key}) << e.table;
    EXPECT_TRUE(t->indexes.empty()) << e.table;
    for (const auto& c : t->columns) EXPECT_FALSE(c.ref) << e.table << "." << c.name;
  }
  const Column& filler = *p.find_table("pgbench_accounts")->find_column("filler");
  EXPECT_EQ(filler.type.sql(), "character(84)");
  EXPECT_EQ(filler.dist.values, std::vector<std::string>{""});  // pgbench's '', padded
}

TEST(ProfileParser, ShopProfileLoadsWithRowsPerScale) {
  const Profile p = load_profile(std::string(PGSHAPE_SOURCE_DIR) + "/profiles/shop.yaml");
  EXPECT_EQ(p.name, "shop");
  EXPECT_EQ(p.schema, "shop");
  EXPECT_EQ(p.seed, 20240601u);
  ASSERT_EQ(p.scales.size(), 2u);
  EXPECT_EQ(p.default_scale, "test");
  const Scale& test = *p.find_scale("test");
  const Scale& production = *p.find_scale("production");
  struct Expect {
    const char* table;
    int64_t test, production;
  };
  for (auto e : {Expect{"categories", 800, 800}, Expect{"products", 12000, 340000},
                 Expect{"customers", 9000, 255000}, Expect{"orders", 36000, 1020000},
                 Expect{"order_items", 108000, 3060000}}) {
    const Table* t = p.find_table(e.table);
    ASSERT_NE(t, nullptr) << e.table;
    EXPECT_EQ(p.rows(*t, test), e.test) << e.table;
    EXPECT_EQ(p.rows(*t, production), e.production) << e.table;
  }
  // Parents before children.
  std::vector<std::string> order;
  for (size_t i : p.load_order()) order.push_back(p.tables[i].name);
  auto at = [&](const char* name) { return std::find(order.begin(), order.end(), name); };
  EXPECT_LT(at("categories"), at("products"));
  EXPECT_LT(at("products"), at("order_items"));
  EXPECT_LT(at("orders"), at("order_items"));
  EXPECT_LT(at("customers"), at("orders"));
  const Column& product = *p.find_table("order_items")->find_column("product_id");
  EXPECT_EQ(product.dist.kind, DistKind::kHotset);
  EXPECT_EQ(product.dist.hot, 3);
  EXPECT_DOUBLE_EQ(product.dist.share, 0.6);
  ASSERT_TRUE(product.ref);
  EXPECT_EQ(product.ref->table, "products");
  const Column& price = *p.find_table("products")->find_column("price");
  EXPECT_EQ(price.type.sql(), "numeric(10,2)");
  EXPECT_NEAR(price.null_fraction, 0, 0);
  EXPECT_DOUBLE_EQ(p.find_table("products")->find_column("description")->null_fraction, 0.05);
  EXPECT_TRUE(p.find_table("products")->find_column("description")->nullable);
}

TEST(ProfileParser, RowsCanBeFixedMultiplesOrPerScale) {
  const Profile p = parse_profile(R"yaml(name: rows
scales: { small: 1000, big: 3 }
tables:
  fixed: { rows: 800, columns: { id: { type: bigint } } }
  times: { rows: 2.5x, columns: { id: { type: bigint } } }
  rounded: { rows: 0.5x, columns: { id: { type: bigint } } }
  each: { rows: { small: 7, big: 1.5x }, columns: { id: { type: bigint } } }
)yaml",
                                  "rows.yaml");
  const Scale& small = *p.find_scale("small");
  const Scale& big = *p.find_scale("big");
  EXPECT_EQ(p.rows(*p.find_table("fixed"), small), 800);
  EXPECT_EQ(p.rows(*p.find_table("fixed"), big), 800);
  EXPECT_EQ(p.rows(*p.find_table("times"), small), 2500);
  EXPECT_EQ(p.rows(*p.find_table("times"), big), 8);  // round(7.5): at least one row either way
  EXPECT_EQ(p.rows(*p.find_table("each"), small), 7);
  EXPECT_EQ(p.rows(*p.find_table("each"), big), 5);  // round(4.5)
  EXPECT_GE(p.rows(*p.find_table("rounded"), big), 1);
}

TEST(ProfileParser, DefaultDistributionsFollowTheType) {
  const Profile p = parse_profile(R"yaml(name: d
scales: { s: 10 }
tables:
  p: { rows: 10, columns: { id: { type: integer, primary_key: true } } }
  t:
    rows: 10
    columns:
      id: { type: bigint, primary_key: true }
      code: { type: integer, unique: true }
      n: { type: integer }
      flag: { type: boolean }
      name: { type: varchar(20) }
      key: { type: uuid }
      at: { type: timestamptz }
      p_id: { type: integer, ref: p.id }
)yaml",
                                  "d.yaml");
  const Table& t = *p.find_table("t");
  EXPECT_EQ(t.find_column("id")->dist.kind, DistKind::kSequence);
  EXPECT_EQ(t.find_column("code")->dist.kind, DistKind::kSequence);
  EXPECT_EQ(t.find_column("n")->dist.kind, DistKind::kUniform);
  EXPECT_EQ(t.find_column("flag")->dist.kind, DistKind::kBernoulli);
  EXPECT_DOUBLE_EQ(t.find_column("flag")->dist.p, 0.5);
  EXPECT_EQ(t.find_column("name")->dist.kind, DistKind::kWords);
  EXPECT_EQ(t.find_column("key")->dist.kind, DistKind::kUuid);
  EXPECT_EQ(t.find_column("at")->dist.kind, DistKind::kUniform);
  EXPECT_EQ(t.find_column("p_id")->dist.kind, DistKind::kUniform);
  EXPECT_EQ(t.primary_key, std::vector<std::string>{"id"});
}

TEST(ProfileParser, NullableCycleIsAccepted) {
  EXPECT_NO_THROW(parse_profile(R"yaml(name: c
scales: { s: 10 }
tables:
  a:
    rows: 10
    columns:
      id: { type: bigint, primary_key: true }
      b_id: { type: bigint, ref: b.id, nullable: true }
  b:
    rows: 10
    columns:
      id: { type: bigint, primary_key: true }
      a_id: { type: bigint, ref: a.id }
)yaml",
                                "c.yaml"));
}

TEST(ProfileParser, EveryProblemIsReportedAtOnce) {
  try {
    parse_profile(R"yaml(name: many
scales: { s: 10 }
tables:
  a:
    rows: 10
    columns:
      x: { type: integer, dist: zipf, s: 0, n: 10 }
      y: { type: text, null_fraction: 2 }
      z: { type: bigintt }
)yaml",
                  "many.yaml");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_EQ(e.diagnostics().size(), 3u);
  }
}

// --- Bad profiles of issue 2 -------------------------------------------------

const char* kHead = "name: bad\nscales: { small: 100 }\ntables:\n";  // 3 lines

struct BadCase {
  const char* name;
  std::string yaml;
  int line, column;
  const char* phrase;
  const char* hint = "";  // a phrase of the hint, when it matters
};

// What ctest and gtest print for a case: its name, not its bytes.
void PrintTo(const BadCase& c, std::ostream* out) {
  *out << c.name;
}

std::string body(const char* columns, int rows = 10) {
  return std::string(kHead) + "  a:\n    rows: " + std::to_string(rows) + "\n    columns:\n" +
         columns;  // columns start on line 7
}

const std::string kParents =
    "  parents:\n    rows: 10\n    columns:\n      id: { type: bigint, primary_key: true }\n";

std::vector<BadCase> bad_cases() {
  return {
      {"yaml_syntax", std::string(kHead) + "  a: { rows: 1\n", 5, 1, "YAML syntax error"},
      {"unknown_key",
       std::string(kHead) + "  a:\n    rowz: 1\n    columns: { id: { type: int } }\n", 5, 5,
       "unknown key 'rowz' in table 'a'", "did you mean 'rows'?"},
      {"unknown_column_key", body("      id: { type: int, uniqe: true }\n"), 7, 24,
       "unknown key 'uniqe'", "did you mean 'unique'?"},
      {"wrong_type_rows", std::string(kHead) + "  a:\n    rows: lots\n    columns: {}\n", 5, 11,
       "must be a whole number, not 'lots'"},
      {"wrong_type_bool", body("      id: { type: int, unique: sure }\n"), 7, 32,
       "unique must be true or false"},
      {"wrong_type_number", body("      b: { type: boolean, dist: bernoulli, p: high }\n"), 7, 47,
       "p must be a number"},
      {"rows_zero", std::string(kHead) + "  a:\n    rows: 0\n    columns: { id: { type: int } }\n",
       5, 11, "must be at least 1, not 0"},
      {"rows_negative",
       std::string(kHead) + "  a:\n    rows: -3\n    columns: { id: { type: int } }\n", 5, 11,
       "must be at least 1, not -3"},
      {"rows_absurd",
       std::string(kHead) + "  a:\n    rows: 10000000000000\n    columns: { id: { type: int } }\n",
       5, 11, "is absurd"},
      {"rows_past_int64",
       std::string(kHead) +
           "  a:\n    rows: 18446744073709551616\n    columns: { id: { type: int } }\n",
       5, 11, "too large"},
      {"unknown_scale",
       std::string(kHead) + "  a:\n    rows: { smal: 5 }\n    columns: { id: { type: int } }\n", 5,
       13, "unknown scale point 'smal'", "did you mean 'small'?"},
      {"fk_missing_table",
       std::string(kHead) + kParents +
           "  c:\n    rows: 5\n    columns:\n      p: { type: bigint, ref: "
           "parent.id }\n",
       11, 31, "references missing table 'parent'", "did you mean 'parents'?"},
      {"fk_missing_column",
       std::string(kHead) + kParents +
           "  c:\n    rows: 5\n    columns:\n      p: { type: bigint, ref: "
           "parents.key }\n",
       11, 31, "references missing column 'parents.key'"},
      {"fk_cycle",
       std::string(kHead) +
           "  a:\n    rows: 5\n    columns:\n      id: { type: int, primary_key: true }\n"
           "      b: { type: int, ref: b.id }\n"
           "  b:\n    rows: 5\n    columns:\n      id: { type: int, primary_key: true }\n"
           "      a: { type: int, ref: a.id }\n",
       13, 28, "cycle with no nullable edge: a -> b -> a", "nullable"},
      {"unknown_distribution", body("      x: { type: int, dist: zipff, s: 1, n: 5 }\n"), 7, 29,
       "unknown distribution 'zipff'", "did you mean 'zipf'?"},
      {"zipf_s_zero", body("      x: { type: int, dist: zipf, s: 0, n: 5 }\n"), 7, 38,
       "zipf exponent s of a.x must be > 0, not 0"},
      {"zipf_s_negative", body("      x: { type: int, dist: zipf, s: -2, n: 5 }\n"), 7, 38,
       "must be > 0, not -2"},
      {"weight_zero", body("      x: { type: text, dist: weighted, values: { a: 1, b: 0 } }\n"), 7,
       59, "the weight of 'b' must be > 0, not 0"},
      {"weight_negative", body("      x: { type: text, dist: weighted, values: { a: -1 } }\n"), 7,
       53, "the weight of 'a' must be > 0, not -1"},
      {"weights_empty", body("      x: { type: text, dist: weighted, values: {} }\n"), 7, 48,
       "values is empty"},
      {"null_fraction_above_1", body("      x: { type: text, null_fraction: 1.01 }\n"), 7, 39,
       "null_fraction must be between 0 and 1, not 1.01"},
      {"null_fraction_negative", body("      x: { type: text, null_fraction: -0.5 }\n"), 7, 39,
       "null_fraction must be between 0 and 1"},
      {"hot_share_above_1",
       std::string(kHead) + kParents +
           "  c:\n    rows: 5\n    columns:\n      p: { type: bigint, ref: "
           "parents.id, dist: hotset, hot: 2, share: 1.5 }\n",
       11, 72, "hot share of c.p must be in (0, 1], not 1.5"},
      {"pattern_longer_than_varchar",
       body("      x: { type: varchar(5), dist: pattern, pattern: \"AB-####\" }\n"), 7, 54,
       "pattern of a.x makes 7 characters, more than varchar(5) allows", "widen the column"},
      {"pattern_n_distinct_below_minus_1",
       body("      x: { type: text, dist: pattern, pattern: \"A-###\", n_distinct: -2 }\n"), 7, 69,
       "n_distinct of a.x is -2: a count of values, or -1 to 0 for a fraction of the rows"},
      {"pattern_longer_than_char",
       body("      x: { type: char(2), dist: pattern, pattern: \"AB-\" }\n"), 7, 51,
       "pattern of a.x makes 3 characters, more than character(2) allows", "widen the column"},
      {"weighted_value_longer_than_char",
       body("      x: { type: character(3), dist: weighted, values: { EUR: 1, EURO: 1 } }\n"), 7,
       66, "value 'EURO' is not a valid character(3): 4 characters, more than character(3)"},
      {"table_name_too_long",
       std::string(kHead) + "  " + std::string(64, 't') +
           ":\n    rows: 1\n    columns: { id: { "
           "type: int } }\n",
       4, 3, "is 64 bytes long; PostgreSQL keeps only 63"},
      {"column_name_too_long",
       body(("      " + std::string(70, 'c') + ": { type: int }\n").c_str()), 7, 7,
       "is 70 bytes long"},
  };
}

class BadProfile : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadProfile, DiagnosticHasMessageLineAndColumn) {
  const BadCase& c = GetParam();
  try {
    parse_profile(c.yaml, "bad.yaml");
    FAIL() << "accepted:\n" << c.yaml;
  } catch (const ProfileError& e) {
    bool found = false;
    std::string all;
    for (const auto& d : e.diagnostics()) {
      all += d.to_string() + " | HINT: " + d.hint + "\n";
      EXPECT_EQ(d.file, "bad.yaml");
      if (d.line == c.line && d.column == c.column &&
          d.message.find(c.phrase) != std::string::npos && d.hint.find(c.hint) != std::string::npos)
        found = true;
    }
    EXPECT_TRUE(found) << "want bad.yaml:" << c.line << ":" << c.column << ": ..." << c.phrase
                       << " (hint ..." << c.hint << ")\ngot:\n"
                       << all;
  }
}

TEST_P(BadProfile, CliValidateExitsTwoWithThePosition) {
  const BadCase& c = GetParam();
  const std::string path =
      (fs::temp_directory_path() / testing::unique_name(std::string("bad-") + c.name)).string() +
      ".yaml";
  std::ofstream(path) << c.yaml;
  const auto result = testing::run_pgshape({"validate", path});
  fs::remove(path);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  const std::string where =
      path + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
  EXPECT_NE(result.err.find(where), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(c.phrase), std::string::npos) << result.err;
  if (*c.hint) {
    EXPECT_NE(result.err.find("HINT: "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(c.hint), std::string::npos) << result.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Issue2, BadProfile, ::testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ClosestMatch, SuggestsOnlyNearWords) {
  EXPECT_EQ(closest_match("zipff", {"zipf", "uniform"}), "zipf");
  EXPECT_EQ(closest_match("nul_fraction", {"null_fraction", "nullable"}), "null_fraction");
  EXPECT_EQ(closest_match("banana", {"zipf", "uniform"}), "");
}

}  // namespace
}  // namespace pgshape
