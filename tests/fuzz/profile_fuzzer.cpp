// libFuzzer target: arbitrary bytes as a profile through the parser and the
// validator, and — for profiles that pass — through the SQL built from them.
//
// The contract under test is the one `pgshape validate` promises a user: any
// input either yields a Profile or a ProfileError with positioned diagnostics.
// Anything else (a crash, a sanitizer report, a leak, another exception type)
// is a finding. A ProfileError with no diagnostics, or one without a message,
// would leave the user with nothing to act on, so that aborts too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "load/sql.hpp"
#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace {

[[noreturn]] void finding(const char* what, const char* detail) {
  std::fprintf(stderr, "profile_fuzzer: %s: %s\n", what, detail);
  std::abort();
}

// What load would send first: every identifier must come out quoted, so a
// NUL-free name can never end the quoted identifier early.
void build_sql(const pgshape::Profile& profile) {
  const std::string schema = profile.schema.empty() ? "fuzz" : profile.schema;
  for (const auto& table : profile.tables) {
    const std::string create = pgshape::load::create_table(schema, table);
    if (create.empty()) finding("empty CREATE TABLE", table.name.c_str());
    (void)pgshape::load::column_list(table);
    (void)pgshape::load::index_builds(schema, table);
    (void)pgshape::load::foreign_key_builds(schema, table);
  }
  (void)profile.load_order();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // base_dir: a directory with no files in it, so `file:`/`ddl:` keys in a
    // fuzzed profile are resolved (and reported missing) without reading the
    // fuzzer's working directory.
    const pgshape::Profile profile = pgshape::parse_profile(text, "fuzz.yaml", "/nonexistent");
    build_sql(profile);
  } catch (const pgshape::ProfileError& e) {
    if (e.diagnostics().empty()) finding("ProfileError without diagnostics", e.what());
    for (const auto& d : e.diagnostics())
      if (d.message.empty()) finding("diagnostic without a message", d.to_string().c_str());
  } catch (const pgshape::UsageError&) {
    // A usage problem (e.g. an unreadable referenced file) is a user answer too.
  } catch (const std::exception& e) {
    finding("unexpected exception escaped the parser", e.what());
  }
  return 0;
}
