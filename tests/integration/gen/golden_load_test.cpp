// The golden profile (every generator kind in every type it serves) loads on a
// real server in binary COPY and text COPY, and the server holds identical
// rows either way: the server itself agrees that the three encoders' values
// are one and the same (CSV's files are checked against COPY text by the
// golden files' unit test and by loading them with the server's own COPY).
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "../load/load_test_support.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

class GoldenLoad : public testing::LoadFixture {};

TEST_F(GoldenLoad, BinaryTextAndCsvGiveTheServerTheSameRows) {
  const std::string profile = PGSHAPE_SOURCE_DIR "/tests/fixtures/gen/golden.yaml";
  const std::string binary = schema("golden_binary"), text = schema("golden_text");
  pgshape({"load", profile, "--schema", binary, "--copy-format", "binary"});
  pgshape({"load", profile, "--schema", text, "--copy-format", "text"});
  pqxx::connection c(test_dsn());
  for (const std::string table : {"parents", "middles", "kinds"}) {
    const std::string a = table_md5(c, binary, table), b = table_md5(c, text, table);
    EXPECT_EQ(a, b) << table;
    EXPECT_FALSE(a.starts_with("0 ")) << table;
  }
  // CSV: the generated file through the server's own COPY ... (FORMAT csv).
  const std::filesystem::path csv_dir =
      std::filesystem::temp_directory_path() / testing::unique_name("pgshape_golden_csv_");
  const auto r = testing::run_pgshape({"generate", profile, "--format", "csv", "--table", "kinds",
                                       "--out", csv_dir.string(), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string target = c.quote_name(text) + ".kinds_csv";
  const auto psql = testing::run_command(
      {"psql", test_dsn(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
       "CREATE TABLE " + target + " (LIKE " + c.quote_name(text) + ".kinds)", "-c",
       "\\copy " + target + " FROM '" + (csv_dir / "kinds.csv").string() + "' (FORMAT csv)"},
      PGSHAPE_SOURCE_DIR);
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(table_md5(c, text, "kinds_csv"), table_md5(c, text, "kinds"));
  std::filesystem::remove_all(csv_dir);
}

}  // namespace
}  // namespace pgshape
