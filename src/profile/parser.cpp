// YAML -> Profile. Walks the document once, recording every problem with its
// position; check_profile() then validates what only the whole profile shows.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape {
namespace {
using profile::ProfileParser;
using profile::Reader;
namespace fs = std::filesystem;

// The largest profile pgshape reads. Hand-written profiles are a few KB and
// generated ones a few hundred; yaml-cpp needs about a second of CPU per MB of
// dense YAML, so this keeps `validate` within a few seconds on any input.
constexpr size_t kMaxProfileBytes = size_t{4} << 20;
// Deepest flow nesting ([ and {) accepted; a profile needs four or five levels.
// Checked before yaml-cpp, whose own limit (2000) reports no useful position.
constexpr int kMaxFlowDepth = 64;

// Line and column (1-based) of byte `offset` of `text`, counting UTF-8 characters.
SourcePos position_of(std::string_view text, size_t offset) {
  SourcePos at{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++at.line, at.column = 1;
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      ++at.column;
  }
  return at;
}

// The offset where flow brackets first nest deeper than kMaxFlowDepth, or npos.
// Quotes and comments are skipped roughly; only absurd nesting is caught.
size_t too_deep_at(std::string_view text) {
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote || c == '\n') quote = 0;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if ((c == '"' || c == '\'') && depth > 0) {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxFlowDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// The first tab in a line's indentation, where YAML forbids tabs, or npos.
size_t indenting_tab(std::string_view text) {
  bool at_indent = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n')
      at_indent = true;
    else if (text[i] == '\t' && at_indent)
      return i;
    else if (text[i] != ' ')
      at_indent = false;
  }
  return std::string_view::npos;
}
}  // namespace

Profile parse_profile(std::string_view text, const std::string& file_name,
                      const std::string& base_dir) {
  Reader reader(file_name);
  if (text.size() > kMaxProfileBytes) {
    reader.error("profile.unreadable", position_of(text, kMaxProfileBytes),
                 fmt::format("the profile is larger than {} MB; pgshape stops reading here",
                             kMaxProfileBytes >> 20),
                 "a profile describes shapes, not data: shorten long value or word lists "
                 "(keep the most common values) or move SQL into files");
    throw ProfileError(reader.diagnostics());
  }
  // Checked before YAML sees the bytes: yaml-cpp would accept invalid UTF-8 silently.
  if (size_t bad = profile::invalid_utf8_at(text); bad != std::string_view::npos) {
    reader.error("profile.not-utf8", position_of(text, bad), "the profile is not valid UTF-8 text",
                 "save it as UTF-8");
    throw ProfileError(reader.diagnostics());
  }
  if (size_t deep = too_deep_at(text); deep != std::string_view::npos) {
    reader.error("profile.yaml-syntax", position_of(text, deep),
                 fmt::format("YAML nests deeper than {} levels", kMaxFlowDepth),
                 "a profile needs a few levels of [ ] and { }; is a bracket left open?");
    throw ProfileError(reader.diagnostics());
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    reader.error("profile.yaml-syntax", SourcePos{e.mark.line + 1, e.mark.column + 1},
                 fmt::format("YAML nests deeper than {} levels", e.depth()),
                 "a profile needs a few levels of nesting; is a bracket left open?");
    throw ProfileError(reader.diagnostics());
  } catch (const YAML::Exception& e) {
    // A tab in the indentation is the usual cause, but yaml-cpp reports it where
    // it gives up: point at the tab itself.
    const SourcePos at{e.mark.line + 1, e.mark.column + 1};
    if (size_t tab = indenting_tab(text); tab != std::string_view::npos) {
      if (const SourcePos tab_at = position_of(text, tab); tab_at.line <= at.line) {
        reader.error("profile.yaml-syntax", tab_at,
                     "a tab indents this line; YAML indents with spaces",
                     "replace the tab with spaces");
        throw ProfileError(reader.diagnostics());
      }
    }
    reader.error("profile.yaml-syntax", at, fmt::format("YAML syntax error: {}", e.msg),
                 e.msg.find("cannot start any token") != std::string::npos
                     ? "YAML indents with spaces; tabs are not allowed"
                     : "");
    throw ProfileError(reader.diagnostics());
  }
  if (!root || root.IsNull()) {
    reader.error("profile.empty", SourcePos{1, 1}, "the profile is empty",
                 "start with name:, scales: and tables:");
    throw ProfileError(reader.diagnostics());
  }
  ProfileParser parser(reader, base_dir);
  Profile profile = parser.parse(root);
  // The whole-profile checks run whatever the walk found: they skip what the walk
  // already reported, so every independent problem is reported in one run.
  if (root.IsMap()) profile::check_profile(profile, reader);
  if (!reader.diagnostics().empty()) throw ProfileError(reader.diagnostics());
  return profile;
}

Profile load_profile(const std::string& path) {
  std::error_code ec;
  auto fail = [&](std::string message, std::string hint) -> Profile {
    throw ProfileError({Diagnostic{.code = "profile.unreadable",
                                   .file = path,
                                   .message = std::move(message),
                                   .hint = std::move(hint)}});
  };
  if (fs::is_directory(path, ec)) return fail("is a directory, not a profile file", "");
  if (!fs::exists(path, ec)) return fail("no such file", "check the path");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot be read", "check its permissions");
  // Reads one byte past the limit, never the whole of a huge file: parse_profile
  // reports where the limit was crossed.
  std::string text(kMaxProfileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  std::string base = fs::path(path).parent_path().string();
  return parse_profile(text, path, base.empty() ? "." : base);
}

}  // namespace pgshape
