// YAML -> Profile. Walks the document once, recording every problem with its
// position; check_profile() then validates what only the whole profile shows.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgshape/error.hpp"
#include "pgshape/profile_parser.hpp"
#include "profile/parser_impl.hpp"
#include "util/pgtime.hpp"

namespace pgshape {
namespace {
using detail::ProfileParser;
using detail::Reader;
namespace fs = std::filesystem;
}  // namespace

Profile parse_profile(std::string_view text, const std::string& file_name,
                      const std::string& base_dir) {
  Reader reader(file_name);
  // Checked before YAML sees the bytes: yaml-cpp would accept invalid UTF-8 silently.
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 2;
    if (!ok) {
      reader.error(SourcePos{line, column}, "the profile is not valid UTF-8 text",
                   "save it as UTF-8");
      throw ProfileError(reader.diagnostics());
    }
    if (c == '\n') ++line, column = 0;
    ++column;
    i += len;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string hint;
    if (e.msg.find("cannot start any token") != std::string::npos ||
        text.find('\t') != std::string_view::npos)
      hint = "YAML indents with spaces; tabs are not allowed";
    reader.error(SourcePos{e.mark.line + 1, e.mark.column + 1},
                 fmt::format("YAML syntax error: {}", e.msg), hint);
    throw ProfileError(reader.diagnostics());
  }
  if (!root || root.IsNull()) {
    reader.error(SourcePos{1, 1}, "the profile is empty", "start with name:, scales: and tables:");
    throw ProfileError(reader.diagnostics());
  }
  ProfileParser parser(reader, base_dir);
  Profile profile = parser.parse(root);
  if (reader.diagnostics().empty()) detail::check_profile(profile, reader);
  if (!reader.diagnostics().empty()) throw ProfileError(reader.diagnostics());
  return profile;
}

Profile load_profile(const std::string& path) {
  std::error_code ec;
  auto fail = [&](std::string message, std::string hint) -> Profile {
    throw ProfileError(
        {Diagnostic{.file = path, .message = std::move(message), .hint = std::move(hint)}});
  };
  if (fs::is_directory(path, ec)) return fail("is a directory, not a profile file", "");
  if (!fs::exists(path, ec)) return fail("no such file", "check the path");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot be read", "check its permissions");
  std::stringstream text;
  text << in.rdbuf();
  std::string base = fs::path(path).parent_path().string();
  return parse_profile(text.str(), path, base.empty() ? "." : base);
}

}  // namespace pgshape
