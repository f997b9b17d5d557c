// Overlays: hand edits kept in their own file and merged over the imported
// profile on every load, so a nightly re-import never destroys them.
//
// Maps merge key by key (the overlay wins); lists and scalars are replaced. A
// column whose overlay entry names a `dist` takes the overlay's distribution
// whole (the import's empirical parameters would not apply to it).
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

// Column keys that are not about the distribution: they survive an overlay `dist`.
constexpr std::string_view kColumnKeys[] = {"type",     "primary_key",   "unique",
                                            "nullable", "null_fraction", "ref"};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Diagnostic at(const std::string& file, const YAML::Node& node, std::string message,
              std::string hint = {}) {
  const YAML::Mark mark = node.Mark();
  return Diagnostic{.file = file,
                    .line = mark.line >= 0 ? mark.line + 1 : 0,
                    .column = mark.column >= 0 ? mark.column + 1 : 0,
                    .message = std::move(message),
                    .hint = std::move(hint)};
}

void merge_map(YAML::Node base, const YAML::Node& over) {
  for (auto it = over.begin(); it != over.end(); ++it) {
    const std::string key = it->first.Scalar();
    YAML::Node target = base[key];
    if (it->second.IsMap() && target.IsMap())
      merge_map(target, it->second);
    else
      base[key] = YAML::Clone(it->second);
  }
}

void merge_column(YAML::Node base, const YAML::Node& over) {
  if (over["dist"] && base.IsMap()) {
    YAML::Node kept(YAML::NodeType::Map);
    for (auto it = base.begin(); it != base.end(); ++it)
      for (auto key : kColumnKeys)
        if (it->first.Scalar() == key) kept[it->first.Scalar()] = YAML::Clone(it->second);
    for (auto key : kColumnKeys) base.remove(std::string(key));
    std::vector<std::string> drop;
    for (auto it = base.begin(); it != base.end(); ++it) drop.push_back(it->first.Scalar());
    for (const auto& key : drop) base.remove(key);
    for (auto it = kept.begin(); it != kept.end(); ++it) base[it->first.Scalar()] = it->second;
  }
  merge_map(base, over);
}

std::vector<std::string> names_of(const YAML::Node& map) {
  std::vector<std::string> out;
  if (map && map.IsMap())
    for (auto it = map.begin(); it != map.end(); ++it) out.push_back(it->first.Scalar());
  return out;
}

std::string hint_for(const std::string& name, const YAML::Node& map, const char* what) {
  auto names = names_of(map);
  std::vector<std::string_view> views(names.begin(), names.end());
  auto best = closest_match(name, views);
  if (!best.empty()) return fmt::format("did you mean '{}'?", best);
  return fmt::format("the import has no such {}; declare a new one in full or remove it", what);
}

}  // namespace

std::string default_overlay_path(const std::string& profile_path) {
  fs::path p(profile_path);
  return (p.parent_path() / (p.stem().string() + ".overlay.yaml")).string();
}

std::string merge_overlay(const std::string& profile_text, const std::string& overlay_path) {
  YAML::Node base;
  YAML::Node over;
  try {
    base = YAML::Load(profile_text);
  } catch (const YAML::Exception& e) {
    throw ProfileError({Diagnostic{.file = "imported profile",
                                   .line = e.mark.line + 1,
                                   .column = e.mark.column + 1,
                                   .message = "YAML syntax error: " + e.msg}});
  }
  try {
    over = YAML::Load(read_text(overlay_path));
  } catch (const YAML::Exception& e) {
    throw ProfileError({Diagnostic{.file = overlay_path,
                                   .line = e.mark.line + 1,
                                   .column = e.mark.column + 1,
                                   .message = "YAML syntax error: " + e.msg}});
  }
  if (!over || over.IsNull()) return profile_text;  // an empty overlay changes nothing
  std::vector<Diagnostic> conflicts;
  if (!over.IsMap())
    throw ProfileError({at(overlay_path, over, "an overlay is a map, like a profile",
                           "write e.g. tables: {orders: {columns: {status: {...}}}}")});
  for (auto top = over.begin(); top != over.end(); ++top) {
    const std::string key = top->first.Scalar();
    if (key != "tables") {
      if (top->second.IsMap() && base[key] && base[key].IsMap())
        merge_map(base[key], top->second);
      else
        base[key] = YAML::Clone(top->second);
      continue;
    }
    if (!top->second.IsMap()) {
      conflicts.push_back(at(overlay_path, top->second, "'tables' in an overlay must be a map"));
      continue;
    }
    YAML::Node base_tables = base["tables"];
    for (auto t = top->second.begin(); t != top->second.end(); ++t) {
      const std::string table = t->first.Scalar();
      // A copy, not a reference: yaml-cpp iterators hand out temporaries (Nodes are handles).
      const YAML::Node ot = t->second;
      YAML::Node bt = base_tables[table];
      if (!bt || !bt.IsMap()) {
        if (ot.IsMap() && ot["rows"] && ot["columns"]) {
          base_tables[table] = YAML::Clone(ot);  // a table of the user's own
        } else {
          conflicts.push_back(at(overlay_path, t->first,
                                 fmt::format("overlay names table '{}', which the import does "
                                             "not have",
                                             table),
                                 hint_for(table, base_tables, "table")));
        }
        continue;
      }
      if (!ot.IsMap()) {
        conflicts.push_back(at(overlay_path, ot, fmt::format("table '{}' must be a map", table)));
        continue;
      }
      for (auto k = ot.begin(); k != ot.end(); ++k) {
        const std::string tkey = k->first.Scalar();
        if (tkey != "columns" || !k->second.IsMap()) {
          bt[tkey] = YAML::Clone(k->second);
          continue;
        }
        YAML::Node base_columns = bt["columns"];
        for (auto c = k->second.begin(); c != k->second.end(); ++c) {
          const std::string column = c->first.Scalar();
          YAML::Node bc = base_columns[column];
          if (!bc || !bc.IsMap()) {
            if (c->second.IsMap() && c->second["type"])
              base_columns[column] = YAML::Clone(c->second);
            else
              conflicts.push_back(at(overlay_path, c->first,
                                     fmt::format("overlay names column '{}.{}', which the import "
                                                 "does not have",
                                                 table, column),
                                     hint_for(column, base_columns, "column")));
            continue;
          }
          if (!c->second.IsMap()) {
            conflicts.push_back(at(overlay_path, c->second,
                                   fmt::format("column '{}.{}' must be a map", table, column)));
            continue;
          }
          merge_column(bc, c->second);
        }
      }
    }
  }
  if (!conflicts.empty()) throw ProfileError(std::move(conflicts));
  YAML::Emitter out;
  out << base;
  return std::string(out.c_str()) + "\n";
}

Profile load_profile_with_overlay(const std::string& profile_path,
                                  const std::string& overlay_path) {
  const std::string overlay =
      overlay_path.empty() ? default_overlay_path(profile_path) : overlay_path;
  std::error_code ec;
  if (!fs::exists(overlay, ec)) {
    if (!overlay_path.empty())
      throw ProfileError({Diagnostic{.file = overlay_path, .message = "no such overlay file"}});
    return load_profile(profile_path);
  }
  if (!fs::exists(profile_path, ec)) return load_profile(profile_path);  // its own diagnostic
  const std::string merged = merge_overlay(read_text(profile_path), overlay);
  std::string base = fs::path(profile_path).parent_path().string();
  Profile profile = parse_profile(merged, profile_path + " (with overlay " + overlay + ")",
                                  base.empty() ? "." : base);
  profile.file = profile_path;
  return profile;
}

}  // namespace pgshape
