#include "load/sql.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace pgshape::load {

std::string create_table(std::string_view schema, const Table& table) {
  std::string out = fmt::format("CREATE TABLE {} (", qualified(schema, table.name));
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    bool in_pk = std::find(table.primary_key.begin(), table.primary_key.end(), c.name) !=
                 table.primary_key.end();
    // A type of the profile's own lives in the schema being built.
    const std::string type = c.type.user_type.empty() || c.type.opaque
                                 ? c.type.sql()
                                 : qualified(schema, c.type.user_type);
    out += fmt::format("{}{} {}{}", i ? ", " : "", quote_ident(c.name), type,
                       c.nullable && !in_pk ? "" : " NOT NULL");
  }
  // Checked row by row as COPY writes (cheap); the newline ends a trailing "--"
  // comment in the expression, as in an index predicate.
  for (const auto& check : table.checks)
    out += fmt::format(", {}CHECK ({}\n)",
                       check.name.empty() ? "" : "CONSTRAINT " + quote_ident(check.name) + " ",
                       check.expr);
  out += ")";
  return out;
}

std::vector<std::string> create_types(std::string_view schema, const Profile& profile) {
  std::vector<std::string> out;
  for (const auto& type : profile.types) {
    const std::string name = qualified(schema, type.name);
    if (type.is_enum) {
      std::vector<std::string> labels;
      for (const auto& label : type.labels) labels.push_back(sql_string_literal(label));
      out.push_back(fmt::format("CREATE TYPE {} AS ENUM ({})", name, fmt::join(labels, ", ")));
      continue;
    }
    std::string domain = fmt::format("CREATE DOMAIN {} AS {}", name, type.base.sql());
    if (type.not_null) domain += " NOT NULL";
    for (const auto& check : type.checks) domain += " CHECK (" + check + "\n)";
    out.push_back(std::move(domain));
  }
  return out;
}

std::string column_list(const Table& table) {
  std::string out = "(";
  for (size_t i = 0; i < table.columns.size(); ++i)
    out += (i ? ", " : "") + quote_ident(table.columns[i].name);
  return out + ")";
}

namespace {

std::string key_columns(const std::vector<std::string>& columns,
                        const std::vector<std::string>& orders = {}) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? ", " : "") + quote_ident(columns[i]);
    if (i < orders.size() && !orders[i].empty()) out += " " + orders[i];
  }
  return out;
}

}  // namespace

std::vector<IndexBuild> index_builds(std::string_view schema, const Table& table) {
  std::vector<IndexBuild> out;
  const std::string target = qualified(schema, table.name);
  if (!table.primary_key.empty()) {
    const std::string name = primary_key_name(table);
    out.push_back({table.name, name,
                   fmt::format("CREATE UNIQUE INDEX {} ON {} ({})", quote_ident(name), target,
                               key_columns(table.primary_key)),
                   fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
                               target, quote_ident(name), quote_ident(name))});
  }
  for (const auto& c : table.columns) {
    if (!c.unique || (table.primary_key.size() == 1 && table.primary_key[0] == c.name)) continue;
    const std::string name = unique_key_name(table, c);
    out.push_back({table.name, name,
                   fmt::format("CREATE UNIQUE INDEX {} ON {} ({})", quote_ident(name), target,
                               quote_ident(c.name)),
                   fmt::format("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}", target,
                               quote_ident(name), quote_ident(name))});
  }
  for (const auto& index : table.indexes) {
    const std::string name = index_name(table, index);
    if (!index.definition.empty()) {
      // The definition is production's, checked at validate time to start with
      // USING and to be one statement's tail with balanced parentheses.
      out.push_back({table.name, name,
                     fmt::format("CREATE {}INDEX {} ON {} {}\n", index.unique ? "UNIQUE " : "",
                                 quote_ident(name), target, index.definition),
                     ""});
      continue;
    }
    std::string statement =
        fmt::format("CREATE {}INDEX {} ON {} ({})", index.unique ? "UNIQUE " : "",
                    quote_ident(name), target, key_columns(index.columns, index.orders));
    // The predicate is SQL the profile's author wrote, checked at validate time to
    // be one expression with balanced parentheses; in "(...)" it cannot take the
    // statement anywhere else, and the newline ends a trailing "--" comment.
    if (!index.where.empty()) statement += " WHERE (" + index.where + "\n)";
    out.push_back({table.name, name, statement, ""});
  }
  return out;
}

std::vector<ForeignKeyBuild> foreign_key_builds(std::string_view schema, const Table& table) {
  std::vector<ForeignKeyBuild> out;
  const std::string target = qualified(schema, table.name);
  for (const auto& c : table.columns) {
    if (!c.ref) continue;
    const std::string unquoted = foreign_key_name(table, c);
    const std::string name = quote_ident(unquoted);
    out.push_back(
        {table.name, unquoted,
         fmt::format("ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) "
                     "NOT VALID",
                     target, name, quote_ident(c.name), qualified(schema, c.ref->table),
                     quote_ident(c.ref->column)),
         fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", target, name)});
  }
  return out;
}

std::string copy_statement(std::string_view schema, const Table& table, bool binary, bool freeze) {
  std::string options;
  if (binary) options += "FORMAT binary";
  if (freeze) options += options.empty() ? "FREEZE" : ", FREEZE";
  return fmt::format("COPY {} {} FROM STDIN{}", qualified(schema, table.name), column_list(table),
                     options.empty() ? "" : " WITH (" + options + ")");
}

std::string ddl_search_path(std::string_view schema) {
  return "SET LOCAL search_path TO " + quote_ident(schema) + ", public";
}

std::string ddl_search_path_session(std::string_view schema) {
  return "SET search_path TO " + quote_ident(schema) + ", public";
}

std::string truncate_statement(std::string_view schema, const Table& table) {
  return "TRUNCATE " + qualified(schema, table.name);
}

std::string analyze_statement(std::string_view schema, const Table& table) {
  return "ANALYZE " + qualified(schema, table.name);
}

std::string create_schema(std::string_view schema) {
  return "CREATE SCHEMA " + quote_ident(schema);
}

std::string comment_on_schema(std::string_view schema, std::string_view comment_literal) {
  return fmt::format("COMMENT ON SCHEMA {} IS {}", quote_ident(schema), comment_literal);
}

std::string drop_schema_cascade(std::string_view schema, bool if_exists) {
  return fmt::format("DROP SCHEMA {}{} CASCADE", if_exists ? "IF EXISTS " : "",
                     quote_ident(schema));
}

std::string rename_schema(std::string_view from, std::string_view to) {
  return fmt::format("ALTER SCHEMA {} RENAME TO {}", quote_ident(from), quote_ident(to));
}

std::string sql_string_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string owner_comment(std::string_view note) {
  return fmt::format("{} {}", kOwnerMark, note);
}

std::string dataset_note(std::string_view profile, std::string_view scale, uint64_t seed) {
  return fmt::format("profile={} scale={} seed={}", profile, scale, seed);
}

}  // namespace pgshape::load
