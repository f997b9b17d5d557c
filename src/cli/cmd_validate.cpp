// pgshape validate PROFILE: the profile's tables, rows per scale point and the
// order foreign keys impose — or every problem, positioned, and exit 2 (rendered
// by main, as text or with --json as JSON).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {
namespace {

// A foreign key as the summary lists it: "t.c -> p.x", or every column of a
// multi-column key that `c` heads, "t (a, b) -> p (x, y)".
std::string foreign_key_text(const Table& t, const Column& c) {
  if (const ForeignKeySpec* fk = t.composite_foreign_key(c.name))
    return fmt::format("{} ({}) -> {} ({})", t.name, fmt::join(fk->columns, ", "), fk->ref_table,
                       fmt::join(fk->ref_columns, ", "));
  return fmt::format("{}.{} -> {}.{}", t.name, c.name, c.ref->table, c.ref->column);
}

std::string render_text(const Profile& profile) {
  std::string out = fmt::format("{}: profile '{}' is valid (schema '{}', seed {})\n\n",
                                profile.file, profile.name, profile.schema, profile.seed);
  size_t width = 5;
  for (const auto& t : profile.tables) width = std::max(width, t.name.size());
  out += fmt::format("  {:<{}}", "table", width);
  for (const auto& s : profile.scales) out += fmt::format("  {:>14}", s.name);
  out += "  columns\n";
  for (size_t i : profile.load_order()) {
    const Table& t = profile.tables[i];
    out += fmt::format("  {:<{}}", t.name, width);
    for (const auto& s : profile.scales)
      out += fmt::format("  {:>14}", thousands(profile.rows(t, s)));
    out += fmt::format("  {}\n", t.columns.size());
  }
  out += "\nforeign keys (load order: parents first):\n";
  bool any = false;
  for (size_t i : profile.load_order()) {
    for (const auto& c : profile.tables[i].columns) {
      if (!c.ref) continue;
      any = true;
      out += fmt::format("  {}  ({}{})\n", foreign_key_text(profile.tables[i], c),
                         to_string(c.dist.kind), c.nullable ? ", nullable" : "");
    }
  }
  if (!any) out += "  none\n";
  if (!profile.queries.empty() || !profile.experiments.empty())
    out += fmt::format("\n{}, {}, {}\n", plural(profile.queries.size(), "query", "queries"),
                       plural(profile.experiments.size(), "experiment"),
                       plural(profile.transactions.size(), "transaction"));
  if (!profile.left_out.empty()) {
    // What the source had and this profile does not rebuild: the mirror lacks it.
    out += fmt::format("\nleft out of the source, or kept only in part ({}):\n",
                       profile.left_out.size());
    for (const auto& item : profile.left_out)
      out += fmt::format("  {}{}{}\n", item.object, item.reason.empty() ? "" : ": ", item.reason);
  }
  return out;
}

nlohmann::json render_json(const Profile& profile) {
  nlohmann::json tables = nlohmann::json::array();
  for (size_t i : profile.load_order()) {
    const Table& t = profile.tables[i];
    nlohmann::json rows = nlohmann::json::object();
    for (const auto& s : profile.scales) rows[s.name] = profile.rows(t, s);
    nlohmann::json fks = nlohmann::json::array();
    for (const auto& c : t.columns) {
      if (!c.ref) continue;
      // "column" and "references" name the column that picks the parent (as
      // before); "columns" and "references_columns" the whole key, of one
      // column or of several.
      const ForeignKeySpec* whole = t.composite_foreign_key(c.name);
      fks.push_back({{"column", c.name},
                     {"references", c.ref->table + "." + c.ref->column},
                     {"columns", whole ? whole->columns : std::vector<std::string>{c.name}},
                     {"references_table", whole ? whole->ref_table : c.ref->table},
                     {"references_columns",
                      whole ? whole->ref_columns : std::vector<std::string>{c.ref->column}}});
    }
    tables.push_back(
        {{"name", t.name}, {"rows", rows}, {"columns", t.columns.size()}, {"foreign_keys", fks}});
  }
  nlohmann::json left_out = nlohmann::json::array();
  for (const auto& item : profile.left_out)
    left_out.push_back({{"object", item.object}, {"reason", item.reason}});
  nlohmann::json scales = nlohmann::json::array();
  for (const auto& s : profile.scales) scales.push_back({{"name", s.name}, {"anchor", s.anchor}});
  return {{"profile", profile.name},
          {"file", profile.file},
          {"valid", true},
          {"schema", profile.schema},
          {"seed", profile.seed},
          {"scales", scales},
          {"tables", tables},
          {"queries", profile.queries.size()},
          {"experiments", profile.experiments.size()},
          {"transactions", profile.transactions.size()},
          {"left_out", left_out}};
}

}  // namespace

int run_validate_command(const Args& args) {
  const ValidateOutcome outcome = run_validate(
      ValidateCommand{.profile = args.text(Opt::kProfile), .overlay = args.text(Opt::kOverlay)});
  if (args.flag(Opt::kJson))
    fmt::print("{}\n", render_json(outcome.profile).dump(2));
  else if (args.verbosity() > 0)
    fmt::print("{}", render_text(outcome.profile));
  return 0;
}

}  // namespace pgshape::cli
