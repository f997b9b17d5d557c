// Shared by the load integration tests: a profile written to a temporary
// directory, schemas dropped afterwards, and an md5 of each table's rows.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "test_server.hpp"

namespace pgshape::testing {

class LoadFixture : public ::testing::Test {
 protected:
  void write_profile(const std::string& text) {
    dir_ = std::filesystem::temp_directory_path() / unique_name("pgshape-load");
    std::filesystem::create_directories(dir_);
    profile_ = (dir_ / "profile.yaml").string();
    std::ofstream(profile_) << text;
  }
  std::string schema(const std::string& prefix) {
    schemas_.push_back(unique_name(prefix));
    return schemas_.back();
  }
  void TearDown() override {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    for (const auto& s : schemas_)
      for (const auto& suffix : {"", "_staging", "_previous"})
        tx.exec0("DROP SCHEMA IF EXISTS " + c.quote_name(s + suffix) + " CASCADE");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs pgshape against the test server (generate needs none and takes no --dsn);
  // fails the test with its stderr otherwise.
  void pgshape(std::vector<std::string> args) {
    if (args.front() != "generate") args.insert(args.end(), {"--dsn", test_dsn()});
    args.push_back("-q");
    const CommandResult r = run_pgshape(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // md5 of every row's text form, in a fixed order, and the row count.
  static std::string table_md5(pqxx::connection& c, const std::string& schema,
                               const std::string& table) {
    pqxx::work tx(c);
    const std::string target = c.quote_name(schema) + "." + c.quote_name(table);
    const auto row = tx.exec1(
        "SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, "
        "E'\\n' ORDER BY t::text)), '') FROM " +
        target + " t");
    return row[0].as<std::string>();
  }
  std::filesystem::path dir_;
  std::string profile_;
  std::vector<std::string> schemas_;
};

}  // namespace pgshape::testing
