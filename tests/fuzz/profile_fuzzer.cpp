// libFuzzer target: arbitrary bytes as a profile through the parser and the
// validator, and — for profiles that pass — through the SQL built from them
// and through generation: a few rows of every table at every scale point in
// COPY text, CSV and binary COPY, under ASan/UBSan.
//
// The contract under test is the one `pgshape validate` promises a user: any
// input either yields a Profile or a ProfileError with positioned diagnostics.
// Anything else (a crash, a sanitizer report, a leak, another exception type)
// is a finding. A ProfileError with no diagnostics, or one without a message,
// would leave the user with nothing to act on, so that aborts too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "load/sql.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
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

// The first and last few rows of every table in every format. An encoder's
// refusal (InternalError: a value the column cannot hold, which validate
// should have refused) is the defence in depth working, not a finding; a
// crash, a sanitizer report or any other exception is.
void generate_rows(const pgshape::Profile& profile) {
  constexpr uint64_t kRows = 16;
  for (const auto& scale : profile.scales) {
    try {
      const pgshape::DatasetGenerator generator(profile, scale, profile.seed);
      for (const auto& table : generator.tables()) {
        const auto rows = static_cast<uint64_t>(std::max<int64_t>(table.rows(), 0));
        for (auto format : {pgshape::RowFormat::kCopyText, pgshape::RowFormat::kCsv,
                            pgshape::RowFormat::kCopyBinary}) {
          pgshape::ByteBuffer out;
          table.write_rows(format, 0, std::min(rows, kRows), out);
          if (rows > kRows) table.write_rows(format, rows - kRows, rows, out);
          if (rows > 0 && out.empty() && table.column_count() > 0)
            finding("rows encoded to no bytes", table.table().name.c_str());
        }
      }
    } catch (const pgshape::InternalError& e) {
      if (std::string_view(e.what()).find("refused rather than wrapped") == std::string_view::npos)
        finding("generation failed", e.what());
    }
  }
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
    generate_rows(profile);
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
