// The schema objects a profile carries besides tables: generated columns, the
// actions and deferrability of foreign keys, and the extensions, functions and
// views production's indexes and queries need. Parsed here; checked here once
// the whole profile is known (a generated column feeds no other generator, a
// function is created under its own unqualified name, a view's query is one
// statement). Their SQL is trusted like ddl: fragments, and load runs it only on
// the target, never on a stats source.
#include <fmt/format.h>
#include <cctype>
#include <set>

#include "profile/checker.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape {

std::string ForeignKeyActions::sql() const {
  std::string out;
  if (!on_update.empty() && on_update != "NO ACTION") out += " ON UPDATE " + on_update;
  if (!on_delete.empty() && on_delete != "NO ACTION") out += " ON DELETE " + on_delete;
  if (deferrable) out += initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return out;
}

namespace profile {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "cascade", "SET NULL", "set_null" -> PostgreSQL's spelling, or "" if none.
std::string action_word(std::string_view text) {
  std::string word = upper(text);
  for (auto& c : word)
    if (c == '_') c = ' ';
  for (const char* known : {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"})
    if (word == known) return word;
  return {};
}

// Skips SQL whitespace and comments from `at`.
size_t skip_space(std::string_view sql, size_t at) {
  while (at < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[at]))) {
      ++at;
    } else if (sql.compare(at, 2, "--") == 0) {
      while (at < sql.size() && sql[at] != '\n') ++at;
    } else if (sql.compare(at, 2, "/*") == 0) {
      const size_t end = sql.find("*/", at + 2);
      at = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return at;
}

// Reads the keyword at `at` (letters and underscores), upper-cased; moves past it.
std::string keyword(std::string_view sql, size_t& at) {
  at = skip_space(sql, at);
  const size_t start = at;
  while (at < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[at])) || sql[at] == '_'))
    ++at;
  return upper(sql.substr(start, at - start));
}

// The name at `at` (bare, or double-quoted with "" for a quote) when it is
// followed by '('; nullopt for anything else: a qualified name, no arguments.
std::optional<std::string> routine_name(std::string_view sql, size_t at) {
  at = skip_space(sql, at);
  std::string name;
  if (at < sql.size() && sql[at] == '"') {
    for (++at; at < sql.size(); ++at) {
      if (sql[at] == '"') {
        if (at + 1 < sql.size() && sql[at + 1] == '"') {
          name += '"', ++at;
          continue;
        }
        break;
      }
      name += sql[at];
    }
    if (at >= sql.size()) return std::nullopt;
    ++at;
  } else {
    while (at < sql.size() &&
           (std::isalnum(static_cast<unsigned char>(sql[at])) || sql[at] == '_' || sql[at] == '$' ||
            (static_cast<unsigned char>(sql[at]) & 0x80)))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[at++])));
  }
  at = skip_space(sql, at);
  if (name.empty() || at >= sql.size() || sql[at] != '(') return std::nullopt;
  return name;
}

}  // namespace

void ProfileParser::parse_fk_actions(const YAML::Node& node, const std::string& what,
                                     ForeignKeyActions& out) {
  for (const char* key : {"on_update", "on_delete"}) {
    const YAML::Node n = node[key];
    if (!n) continue;
    const std::string text = r_.string(n, key).value_or("");
    const std::string word = action_word(text);
    if (word.empty())
      r_.error("profile.bad-value", n, fmt::format("{} of {} cannot be '{}'", key, what, text),
               "write cascade, restrict, set null, set default or no action");
    (std::string_view(key) == "on_update" ? out.on_update : out.on_delete) = word;
  }
  if (auto n = node["deferrable"]) out.deferrable = r_.boolean(n, "deferrable").value_or(false);
  if (auto n = node["initially_deferred"]) {
    out.initially_deferred = r_.boolean(n, "initially_deferred").value_or(false);
    if (out.initially_deferred && !out.deferrable)
      r_.error("profile.conflict", n,
               fmt::format("{} is initially deferred but not deferrable", what),
               "add deferrable: true (PostgreSQL defers only a deferrable key)");
  }
}

bool ProfileParser::has_fk_actions(const YAML::Node& node) {
  return node["on_update"] || node["on_delete"] || node["deferrable"] || node["initially_deferred"];
}

void ProfileParser::parse_generated(const YAML::Node& node, Column& column,
                                    const std::string& what) {
  const YAML::Node n = node["generated"];
  column.generated = r_.string(n, "generated").value_or("");
  if (column.generated.empty()) {
    r_.error("profile.bad-value", n, fmt::format("generated: of {} is empty", what),
             "write the expression, e.g. generated: \"lower(email)\"");
    return;
  }
  // The server computes the value: nothing of pgshape's generation applies.
  std::vector<std::string_view> refused = {"primary_key",   "unique", "ref", "identity",
                                           "null_fraction", "given",  "dist"};
  for (auto key : section_keys("dist")) refused.push_back(key);
  for (auto key : refused)
    if (auto k = node[std::string(key)])
      r_.error("profile.conflict", k,
               fmt::format("{} is generated (GENERATED ALWAYS AS ... STORED): it cannot have "
                           "'{}'",
                           what, key),
               "the server computes its values from the row; remove the key");
}

void ProfileParser::parse_objects(const YAML::Node& root, Profile& profile) {
  if (auto node = root["extensions"]) {
    for (const auto& name : string_list(node, "extensions")) {
      profile.extensions.push_back(ExtensionSpec{.name = name, .pos = Reader::pos(node)});
      r_.identifier(node, name, "extension");
    }
  }
  if (auto node = root["functions"]) {
    if (!node.IsSequence()) {
      r_.error("profile.bad-type", node, "functions must be a list");
    } else {
      for (const auto& item : node) {
        FunctionSpec f{.pos = Reader::pos(item)};
        if (!r_.check_map(item, "a function", section_keys("function"))) continue;
        if (auto n = item["name"]) f.name = r_.string(n, "function name").value_or("");
        r_.identifier(item["name"] ? item["name"] : item, f.name, "function");
        if (auto n = item["definition"])
          f.definition = r_.string(n, "definition").value_or("");
        else
          r_.error("profile.missing-key", item,
                   fmt::format("function '{}' has no 'definition'", f.name),
                   "write the CREATE FUNCTION statement, as pg_get_functiondef prints it");
        profile.functions.push_back(std::move(f));
      }
    }
  }
  if (auto node = root["views"]) {
    if (!node.IsSequence()) {
      r_.error("profile.bad-type", node, "views must be a list");
    } else {
      for (const auto& item : node) {
        ViewSpec v{.pos = Reader::pos(item)};
        if (!r_.check_map(item, "a view", section_keys("view"))) continue;
        if (auto n = item["name"]) v.name = r_.string(n, "view name").value_or("");
        r_.identifier(item["name"] ? item["name"] : item, v.name, "view");
        if (auto n = item["query"])
          v.query = r_.string(n, "query").value_or("");
        else
          r_.error("profile.missing-key", item, fmt::format("view '{}' has no 'query'", v.name),
                   "write its SELECT, as pg_get_viewdef prints it");
        if (auto n = item["materialized"])
          v.materialized = r_.boolean(n, "materialized").value_or(false);
        profile.views.push_back(std::move(v));
      }
    }
  }
}

namespace {

class ObjectChecker {
 public:
  explicit ObjectChecker(const CheckContext& ctx) : c_(ctx) {}

  void run() {
    for (const auto& table : c_.p.tables) {
      for (const auto& column : table.columns) {
        if (!column.generated.empty())
          check_expression(column.pos,
                           fmt::format("generated: of column '{}.{}'", table.name, column.name),
                           column.generated);
        check_reads_generated(table, column);
        if (column.ref && !column.ref->actions.sql().empty() &&
            table.composite_foreign_key(column.name))
          c_.r.error("profile.conflict", column.ref->pos,
                     fmt::format("column '{}.{}' heads {}: its actions belong to that key",
                                 table.name, column.name, CheckContext::foreign_key(table, column)),
                     "move on_update, on_delete, deferrable and initially_deferred to the "
                     "foreign_keys: entry");
      }
      for (const auto& fk : table.foreign_keys)
        for (const auto& parent : fk.ref_columns)
          refuse_generated_parent(table, fk.pos, fk.ref_table, parent);
    }
    for (const auto& query : c_.p.queries)
      for (const auto& param : query.params) {
        const Table* t = c_.p.find_table(param.table);
        const Column* col = t ? t->find_column(param.column) : nullptr;
        if (col && !col->generated.empty())
          c_.r.error("profile.conflict", param.pos,
                     fmt::format("query '{}' draws a parameter from {}.{}, a generated column "
                                 "whose values the server computes on load",
                                 query.name, param.table, param.column),
                     "draw it from a column it is computed from, or give a literal: pick");
      }
    std::set<std::string> relations;
    for (const auto& table : c_.p.tables) relations.insert(table.name);
    for (const auto& f : c_.p.functions) check_function(f);
    for (const auto& v : c_.p.views) {
      if (!relations.insert(v.name).second)
        c_.r.error("profile.conflict", v.pos,
                   fmt::format("view '{}' has the name of a table or an earlier view", v.name),
                   "one schema holds one relation of a name");
      check_query(v);
    }
  }

 private:
  // A generated column's values are the server's: a generator reading them
  // (copy, a foreign key's parent, given:) would read nothing.
  void check_reads_generated(const Table& table, const Column& column) {
    if (column.given)
      if (const Column* parent = table.find_column(column.given->column);
          parent && !parent->generated.empty())
        c_.r.error("profile.conflict", column.given->pos,
                   fmt::format("column '{}.{}' depends on {}, a generated column", table.name,
                               column.name, parent->name),
                   "make it depend on a column the generated one is computed from");
    if (column.ref)
      refuse_generated_parent(table, column.ref->pos, column.ref->table, column.ref->column);
    if (column.dist.kind == DistKind::kCopy) {
      const Column* fk = table.find_column(column.dist.copy_from_fk);
      if (fk && fk->ref)
        refuse_generated_parent(table, column.dist.pos, fk->ref->table,
                                column.dist.copy_parent_column);
    }
  }

  void refuse_generated_parent(const Table& table, SourcePos at, const std::string& parent_table,
                               const std::string& parent_column) {
    const Table* parent = c_.p.find_table(parent_table);
    const Column* col = parent ? parent->find_column(parent_column) : nullptr;
    if (col && !col->generated.empty())
      c_.r.error("profile.conflict", at,
                 fmt::format("a column of '{}' reads {}.{}, a generated column: its values are "
                             "computed by the server, not generated",
                             table.name, parent_table, parent_column),
                 "refer to a key pgshape generates");
  }

  bool one_statement(SourcePos at, const std::string& what, const std::string& sql,
                     const char* hint) {
    const SqlScan scan = scan_sql(sql);
    if (!scan.error.empty()) {
      c_.r.error("profile.bad-sql", at, fmt::format("{}: {} is not closed", what, scan.error),
                 "close it");
      return false;
    }
    if (scan.statements.size() != 1) {
      c_.r.error("profile.bad-sql", at,
                 scan.statements.empty() ? fmt::format("{} holds no SQL", what)
                                         : fmt::format("{} must be one statement", what),
                 hint);
      return false;
    }
    if (!scan.statements[0].balanced_parens) {
      c_.r.error("profile.bad-sql", at, fmt::format("{}: its parentheses do not balance", what),
                 "every '(' closed by a ')' after it");
      return false;
    }
    return true;
  }

  void check_expression(SourcePos at, const std::string& what, const std::string& sql) {
    one_statement(at, what, sql, "write only the expression, e.g. \"lower(email)\"");
  }

  // Created with the schema being built first on the search path: the name must
  // be unqualified (else it would land in another schema) and be its own.
  void check_function(const FunctionSpec& f) {
    const std::string what = fmt::format("definition of function '{}'", f.name);
    if (f.definition.empty() ||
        !one_statement(f.pos, what, f.definition,
                       "write one CREATE FUNCTION statement; a body with ';' goes in $$ quotes"))
      return;
    const std::string_view sql = f.definition;
    size_t at = 0;
    bool ok = keyword(sql, at) == "CREATE";
    size_t mark = at;
    if (ok && keyword(sql, mark) == "OR") {
      ok = keyword(sql, mark) == "REPLACE";
      at = mark;
    }
    const std::string kind = ok ? keyword(sql, at) : "";
    ok = ok && (kind == "FUNCTION" || kind == "PROCEDURE");
    const auto name = ok ? routine_name(sql, at) : std::nullopt;
    if (!ok)
      c_.r.error("profile.bad-sql", f.pos,
                 fmt::format("{} must start with CREATE [OR REPLACE] FUNCTION", what),
                 "write it as pg_get_functiondef prints it");
    else if (!name || *name != f.name)
      c_.r.error(
          "profile.bad-sql", f.pos,
          fmt::format("{} must create '{}' by that name alone, not schema-qualified", what, f.name),
          fmt::format("write CREATE FUNCTION {}(...): pgshape creates it in the schema it "
                      "builds",
                      f.name));
  }

  void check_query(const ViewSpec& v) {
    const std::string what = fmt::format("query of view '{}'", v.name);
    if (v.query.empty() ||
        !one_statement(v.pos, what, v.query, "write only the view's SELECT, without ';'"))
      return;
    size_t at = 0;
    const std::string first = keyword(v.query, at);
    if (first != "SELECT" && first != "WITH" && first != "VALUES" && first != "TABLE")
      c_.r.error("profile.bad-sql", v.pos,
                 fmt::format("{} must be a query (SELECT, WITH, VALUES or TABLE), not {}", what,
                             first.empty() ? "this" : first),
                 "write it as pg_get_viewdef prints it");
  }

  const CheckContext& c_;
};

}  // namespace

void check_objects(const CheckContext& ctx) {
  ObjectChecker(ctx).run();
}

}  // namespace profile
}  // namespace pgshape
