// render_profile: a StatsSnapshot as a complete profile. Every column maps to the
// distribution that reproduces its pg_stats row (empirical), keys map to
// primary_key / unique / ref, and indexes keep their production names so plans
// name the same indexes on the mirror.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "pgshape/pg.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/util.hpp"
#include "stats/check_pattern.hpp"
#include "stats/element_writer.hpp"
#include "stats/internal.hpp"
#include "stats/object_writer.hpp"
#include "stats/pair_columns.hpp"
#include "stats/pair_order.hpp"

namespace pgshape {
namespace {

constexpr int64_t kSmallTable = 1000;  // kept whole at the test scale point

int64_t observed_rows(const TableStats& t) {
  return std::max<int64_t>(1, std::llround(std::max(0.0, t.reltuples)));
}

// Values a profile can read back for this type (pg_stats prints infinity & co.).
bool readable(const ColumnType& type, const std::string& v) {
  if (type.is_textual()) return true;
  if (type.kind == PgType::kBoolean) return v == "t" || v == "f" || v == "true" || v == "false";
  if (type.kind == PgType::kDate) return parse_pg_date(v).has_value();
  if (type.is_temporal()) return parse_pg_timestamp(v).has_value();
  if (type.is_integer() || type.is_fractional()) {
    if (v.empty()) return false;
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    return end == v.c_str() + v.size() && v != "NaN";
  }
  return type.kind == PgType::kUuid && v.size() == 36;
}

// A name the profile can take bare where a space or a dot separates it from what
// follows: letters, digits, _ and $, not starting with a digit.
bool plain_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

// One half of ref: table.column, double-quoted as in SQL unless the name is plain.
std::string ref_part(const std::string& name) {
  if (plain_name(name)) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// An index column: "name" or "name DESC" when the name is plain, else the map
// form {column: name, order: DESC}, which holds any identifier.
void index_column(YAML::Emitter& out, const std::string& name, const std::string& order) {
  if (plain_name(name)) {
    out << (order.empty() ? name : name + " " + order);
    return;
  }
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "column" << YAML::Value << YAML::DoubleQuoted
      << name;
  if (!order.empty()) out << YAML::Key << "order" << YAML::Value << order;
  out << YAML::EndMap;
}

bool single_key(const std::vector<std::string>& key, const std::string& column) {
  return key.size() == 1 && key[0] == column;
}

// A type's spelling the profile takes for a column of a type pgshape does not
// generate (the parser's rule: names, brackets, modifiers, quotes).
bool opaque_spelling(const std::string& type) {
  size_t quotes = 0;
  for (char c : type) {
    quotes += c == '"';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr(" _[](),.\"", c) != nullptr))
      return false;
  }
  return !type.empty() && type.size() <= 200 && quotes % 2 == 0;
}

// A name as PostgreSQL prints it in an expression (its quote_ident): bare when it
// is a lower-case identifier, else double-quoted. A keyword PostgreSQL would
// quote comes out bare here; a CHECK on it then reads as not understood (left out).
std::string printed_name(const std::string& name) {
  const bool bare = !name.empty() &&
                    (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return std::islower(static_cast<unsigned char>(c)) ||
                             std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '$';
                    });
  return bare ? name : quote_ident(name);
}

// An identifier as format_type / quote_ident print it, unquoted: "My Type" -> My Type.
std::string unquoted(const std::string& name) {
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return name;
  std::string out;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    out += name[i];
    if (name[i] == '"' && name[i + 1] == '"') ++i;
  }
  return out;
}

// "CHECK ((x > 0)) NOT VALID" -> "(x > 0)": the expression pg_get_constraintdef
// wraps; "" when the text is not of that form (NO INHERIT, NOT VALID, ...).
std::string check_expression(const std::string& definition) {
  const std::string head = "CHECK (";
  if (definition.rfind(head, 0) != 0 || definition.back() != ')') return "";
  return definition.substr(head.size(), definition.size() - head.size() - 1);
}

// What a single-column CHECK lets through, when it is of a form the generator
// can be kept inside: comparisons with constants (BETWEEN prints as two), joined
// by AND, or `col = ANY (ARRAY[...])`. `subject` is the column as SQL prints it
// (or VALUE for a domain).
struct CheckShape {
  bool understood = false;
  std::vector<std::string> in_list;  // = ANY (ARRAY[...]): the allowed values
  // A varchar IN list alone, written back as `col IN (...)`: PostgreSQL prints
  // what it parses from that exactly as production's, not from its own print.
  std::string rebuilt;
};

// 'it''s'::text -> it's; (0)::numeric -> 0; 42 -> 42. nullopt: not a constant.
std::optional<std::string> constant(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto cast = text.rfind("::");
  if (cast != std::string_view::npos && text.front() != '\'' && text.front() != '(')
    return std::nullopt;
  if (cast != std::string_view::npos) text = text.substr(0, cast);
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')')
    text = text.substr(1, text.size() - 2);
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '\'' && text[i + 1] == '\'') ++i;
    }
    return out;
  }
  if (text.empty()) return std::nullopt;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != 'e' &&
        c != '+')
      return std::nullopt;
  return std::string(text);
}

// Splits "a, b, c" at commas outside quotes.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == ',' && !quoted) {
      out.push_back(item);
      item.clear();
      continue;
    }
    if (!(item.empty() && c == ' ' && !quoted)) item += c;
  }
  out.push_back(item);
  return out;
}

CheckShape check_shape(std::string expr, const std::string& subject) {
  CheckShape shape;
  auto strip = [](std::string& e) {
    while (e.size() >= 2 && e.front() == '(' && e.back() == ')') {
      // Only when the outer pair encloses everything.
      int depth = 0;
      bool whole = true;
      for (size_t i = 0; i < e.size(); ++i) {
        depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
        if (depth == 0 && i + 1 < e.size()) whole = false;
      }
      if (!whole) return;
      e = e.substr(1, e.size() - 2);
    }
  };
  strip(expr);
  std::vector<std::string> atoms;
  for (size_t at = 0;;) {
    const size_t next = expr.find(") AND (", at);
    atoms.push_back(expr.substr(at, next == std::string::npos ? std::string::npos : next + 1 - at));
    if (next == std::string::npos) break;
    at = next + 6;
  }
  // A varchar column is compared as text: ((code)::text = ANY (...)).
  const std::string as_text = "(" + subject + ")::text ";
  for (auto& atom : atoms) {
    strip(atom);
    std::string rest;
    if (atom.rfind(subject + " ", 0) == 0)
      rest = atom.substr(subject.size() + 1);
    else if (atom.rfind(as_text, 0) == 0)
      rest = atom.substr(as_text.size());
    else
      return {};
    if (rest == "IS NOT NULL") continue;
    if (rest.rfind("= ANY (", 0) == 0) {
      const auto open = rest.find("ARRAY[");
      // The ARRAY's own ']' (a cast after it may hold another: ::text[]).
      size_t close = std::string::npos;
      for (size_t i = open + 6, quoted = 0; open != std::string::npos && i < rest.size(); ++i) {
        if (rest[i] == '\'') quoted ^= 1;
        if (rest[i] == ']' && !quoted) {
          close = i;
          break;
        }
      }
      if (open == std::string::npos || close == std::string::npos || close < open) return {};
      for (const auto& item : split_list(rest.substr(open + 6, close - open - 6))) {
        auto value = constant(item);
        if (!value) return {};
        shape.in_list.push_back(*value);
      }
      continue;
    }
    bool compared = false;
    for (const char* op : {">= ", "<= ", "<> ", "> ", "< ", "= "})
      if (rest.rfind(op, 0) == 0) compared = constant(rest.substr(std::strlen(op))).has_value();
    if (!compared) return {};
  }
  shape.understood = true;
  if (atoms.size() == 1 && !shape.in_list.empty() && atoms[0].rfind(as_text, 0) == 0) {
    shape.rebuilt = "(" + subject + " IN (";
    for (size_t i = 0; i < shape.in_list.size(); ++i) {
      shape.rebuilt += i ? ", '" : "'";
      for (char c : shape.in_list[i])
        shape.rebuilt += c == '\'' ? std::string("''") : std::string(1, c);
      shape.rebuilt += "'";
    }
    shape.rebuilt += "))";
  }
  return shape;
}

class Writer {
 public:
  Writer(const StatsSnapshot& snap, const ImportOptions& options, std::vector<std::string>& notes)
      : snap_(snap), options_(options), notes_(notes) {}

  std::string render() {
    int64_t anchor = 1;
    for (const auto& t : snap_.tables) anchor = std::max(anchor, observed_rows(t));
    YAML::Emitter out;
    out << YAML::Comment(fmt::format(
        "Generated by pgshape stats from database '{}', schema '{}' at {}{}.\n"
        "Planner statistics and the catalog only (pg_class, pg_stats, pg_stats_ext, pg_constraint, "
        "pg_index, pg_type, ...) - no rows.\n"
        "Re-generated by every refresh: keep hand edits in the overlay file beside it.",
        snap_.database, snap_.schema, snap_.taken_at, snap_.redacted ? ", text redacted" : ""));
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << options_.name;
    out << YAML::Key << "seed" << YAML::Value << options_.seed;
    if (!options_.statistics.empty())
      out << YAML::Key << "statistics" << YAML::Value << YAML::DoubleQuoted << options_.statistics;
    // A mirror is production's shape, so a plain `load` builds it at production's size.
    out << YAML::Key << "default_scale" << YAML::Value << "production";
    out << YAML::Key << "scales" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "test" << YAML::Value << test_rows(anchor, true);
    out << YAML::Key << "production" << YAML::Value << anchor;
    out << YAML::EndMap;
    // The mirror takes the source schema's name (load --schema picks another).
    if (target_schema_problem(snap_.schema).empty())
      out << YAML::Key << "schema" << YAML::Value << snap_.schema;
    types(out);
    out << YAML::Key << "tables" << YAML::Value << YAML::BeginMap;
    for (const auto& t : snap_.tables) table(out, t);
    out << YAML::EndMap;
    objects_.write(out, [this](const std::string& o, const std::string& r) { leave_out(o, r); });
    for (const auto& object : snap_.other_objects)
      if (!rebuilt_partitions_.count(object) && !objects_.accounts_for(object))
        leave_out(object,
                  "stats reproduces tables with their columns, keys, indexes and checks, enums "
                  "and domains; nothing else");
    if (!left_out_.empty()) {
      out << YAML::Key << "left_out" << YAML::Value << YAML::BeginSeq;
      for (const auto& [object, reason] : left_out_)
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "object" << YAML::Value
            << YAML::DoubleQuoted << object << YAML::Key << "reason" << YAML::Value
            << YAML::DoubleQuoted << reason << YAML::EndMap;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    if (!hidden_tables_.empty()) notes_.push_back(hidden_note());
    return std::string(out.c_str()) + "\n";
  }

 private:
  const StatsSnapshot& snap_;
  const ImportOptions& options_;
  std::vector<std::string>& notes_;
  stats::ObjectWriter objects_{snap_};  // extensions, functions, views, generated columns
  // Tables with a column whose statistics pg_stats hid from the role: one note
  // for them all, since the cause and the fix are one (not a note per column).
  std::vector<std::string> hidden_tables_;
  int hidden_columns_ = 0;
  // What the profile does not reproduce: in the profile (left_out:) and a note.
  std::vector<std::pair<std::string, std::string>> left_out_;
  // "partition <leaf> (of <table>)" of other_objects that partitions: rebuilds.
  std::set<std::string> rebuilt_partitions_;
  // The enums and domains generated as their base, by the name format_type gives them.
  std::map<std::string, const TypeStats*> types_;
  std::vector<std::string> created_;  // every type of types: (format_type names)
  std::vector<std::string> missing_;  // the schema's types the mirror will not have

  // True when `type` (format_type text, maybe an array of it) names a type of the
  // source schema that the mirror does not get.
  bool type_missing(std::string type) const {
    while (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
      type.resize(type.size() - 2);
    return std::find(missing_.begin(), missing_.end(), type) != missing_.end();
  }

  void leave_out(const std::string& object, const std::string& reason) {
    for (const auto& [o, r] : left_out_)
      if (o == object && r == reason) return;
    left_out_.emplace_back(object, reason);
    notes_.push_back(fmt::format("{} left out: {}", object, reason));
  }

  // types: every enum of the schema and every domain over a type pgshape generates.
  void types(YAML::Emitter& out) {
    std::vector<const TypeStats*> kept;
    for (const auto& type : snap_.types) {
      if (const auto unmet = objects_.unmet(type.needs); !unmet.empty()) {
        leave_out("domain " + type.name,
                  fmt::format("its CHECK needs {}, which stats does not create on the mirror",
                              fmt::join(unmet, ", ")));
        continue;
      }
      if (type.kind == 'd' && !parse_column_type(type.base)) {
        leave_out("domain " + type.name,
                  fmt::format("its base type {} is not one pgshape generates", type.base));
        continue;
      }
      if (type.kind == 'd' && std::any_of(type.checks.begin(), type.checks.end(),
                                          [](auto& c) { return check_expression(c).empty(); })) {
        leave_out("domain " + type.name, "a CHECK of it is NOT VALID");
        continue;
      }
      kept.push_back(&type);
      // A domain whose CHECK generation cannot be kept inside is created all the
      // same; its columns draw production's own values (which pass it).
      const bool generated =
          type.kind == 'e' ||
          std::all_of(
              type.checks.begin(), type.checks.end(),
              [](auto& c) { return check_shape(check_expression(c), "VALUE").understood; }) ||
          domain_pattern(type.checks, parse_column_type(type.base)->max_chars());
      if (generated)
        types_[type.name] = &type;
      else
        leave_out(
            "generation of domain " + type.name,
            fmt::format(
                "{}: only comparisons with constants, BETWEEN, IN lists and simple LIKE / "
                "regex patterns are kept inside; its columns draw production's sampled values",
                fmt::join(type.checks, " ")));
      created_.push_back(type.name);
    }
    for (const auto& type : snap_.types)
      if (std::find(created_.begin(), created_.end(), type.name) == created_.end())
        missing_.push_back(type.name);
    for (const auto& object : snap_.other_objects)
      for (const char* kind : {"composite type ", "range type ", "type "})
        if (object.rfind(kind, 0) == 0) {
          missing_.push_back(printed_name(object.substr(std::strlen(kind))));
          break;
        }
    if (kept.empty()) return;
    out << YAML::Key << "types" << YAML::Value << YAML::BeginMap;
    for (const TypeStats* type : kept) {
      out << YAML::Key << YAML::DoubleQuoted << unquoted(type->name) << YAML::Value << YAML::Flow
          << YAML::BeginMap;
      if (type->kind == 'e') {
        out << YAML::Key << "enum" << YAML::Value << YAML::BeginSeq;
        for (const auto& label : type->labels) out << YAML::DoubleQuoted << label;
        out << YAML::EndSeq;
      } else {
        out << YAML::Key << "domain" << YAML::Value << parse_column_type(type->base)->sql();
        if (!type->checks.empty()) {
          out << YAML::Key << "check" << YAML::Value << YAML::BeginSeq;
          for (const auto& c : type->checks) out << YAML::DoubleQuoted << check_expression(c);
          out << YAML::EndSeq;
        }
        if (type->not_null) out << YAML::Key << "not_null" << YAML::Value << true;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }

  // The column's type as the profile names it (a built-in type, or an enum or
  // domain of types:), with the type values are generated as; nullopt: none.
  std::optional<std::pair<std::string, ColumnType>> profile_type(const ColumnStats& c) const {
    if (auto type = parse_column_type(c.type)) return std::make_pair(type->sql(), *type);
    auto it = types_.find(c.type);
    if (it == types_.end()) return std::nullopt;
    ColumnType type = it->second->kind == 'e' ? ColumnType{.kind = PgType::kText}
                                              : *parse_column_type(it->second->base);
    type.user_type = unquoted(it->second->name);
    return std::make_pair(type.user_type, type);
  }

  // The table's CHECKs the profile keeps; the others are left out. `in_lists`
  // gets the values a column's = ANY (ARRAY[...]) check allows.
  std::vector<const CheckStats*> kept_checks(
      const TableStats& t, const std::vector<std::string>& emitted,
      std::map<std::string, std::vector<std::string>>& in_lists) {
    std::vector<const CheckStats*> kept;
    for (const auto& check : t.checks) {
      const std::string object = fmt::format("check {}.{}", t.name, check.name);
      const std::string expr = check_expression(check.definition);
      if (!check.validated || expr.empty()) {
        leave_out(object, fmt::format("{}: only validated, inheritable CHECKs are rebuilt",
                                      check.definition));
        continue;
      }
      if (check.columns.size() != 1) {
        leave_out(object, fmt::format("{} reads {} columns; pgshape draws each column on its "
                                      "own and could break it",
                                      check.definition, check.columns.size()));
        continue;
      }
      const std::string& column = check.columns[0];
      if (std::find(emitted.begin(), emitted.end(), column) == emitted.end()) {
        leave_out(object, fmt::format("{}: its column is left out", check.definition));
        continue;
      }
      const CheckShape shape = check_shape(expr, printed_name(column));
      if (!shape.understood && pattern_check(t, column, expr)) {
        kept.push_back(&check);
        continue;
      }
      if (!shape.understood) {
        leave_out(
            object,
            fmt::format("{}: only comparisons with constants, BETWEEN, IN lists and simple "
                        "LIKE / regex patterns are kept inside; generated values could break it",
                        check.definition));
        continue;
      }
      if (!shape.in_list.empty()) in_lists[column] = shape.in_list;
      if (!shape.rebuilt.empty()) rebuilt_[check.name] = shape.rebuilt;
      kept.push_back(&check);
    }
    return kept;
  }
  // The current table's composite key reproduced by construction: a foreign
  // key whose parents get their production fan-out (dist: fanout) and the
  // integer column numbering each parent's children (dist: child_number).
  struct FanoutKey {
    std::string fk, number;
    std::string distinct;  // or: a second foreign key, distinct within each family
    int64_t start = 1;
    bool cluster = false;
  };
  std::optional<FanoutKey> fanout_;

  static bool is_integer_type(const ColumnStats& c) {
    const auto type = parse_column_type(c.type);
    return type && type->is_integer();
  }

  // The first (foreign key, integer column) pair of a composite primary key or
  // unique key (constraint or index) that both are NOT NULL: the pair makes the
  // key unique by construction, whatever else it holds.
  std::optional<FanoutKey> find_fanout_key(const TableStats& t) const {
    std::vector<std::vector<std::string>> keys;
    if (t.primary_key.size() > 1) keys.push_back(t.primary_key);
    for (const auto& u : t.unique_keys)
      if (u.size() > 1) keys.push_back(u);
    for (const auto& index : t.indexes)
      if (index.unique && index.columns.size() > 1) keys.push_back(index.columns);
    for (const auto& key : keys) {
      for (const auto& a : key) {
        const ColumnStats* fk = t.find_column(a);
        if (!fk || !fk->not_null || !usable_fk(t, a)) continue;
        for (const auto& b : key) {
          const ColumnStats* number = t.find_column(b);
          if (b == a || !number || !number->not_null || !is_integer_type(*number) ||
              usable_fk(t, b) || number->generated || !number->identity.empty() ||
              unique_alone(t, b) || unique_alone(t, a))
            continue;
          FanoutKey out{.fk = a, .number = b};
          // Numbers start where production's do (the smallest value it shows).
          std::optional<double> lowest;
          auto see = [&](const std::string& v) {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            if (end != v.c_str() && (!lowest || x < *lowest)) lowest = x;
          };
          for (const auto& v : number->mcv) see(v);
          if (!number->histogram.empty()) see(number->histogram.front());
          if (lowest && std::fabs(*lowest) < 1e15) out.start = std::llround(*lowest);
          // Children stored next to their parent in production: keep them so.
          out.cluster = fk->correlation && std::fabs(*fk->correlation) >= 0.5;
          return out;
        }
        // A junction table's key (order_id, product_id): the second foreign key
        // picks distinct parents within each family of the first.
        for (const auto& b : key) {
          const ColumnStats* other = t.find_column(b);
          if (b == a || !other || !other->not_null || !usable_fk(t, b) || unique_alone(t, b) ||
              unique_alone(t, a))
            continue;
          return FanoutKey{.fk = a,
                           .distinct = b,
                           .cluster = fk->correlation && std::fabs(*fk->correlation) >= 0.5};
        }
      }
    }
    return std::nullopt;
  }

  // A foreign key picking distinct parents within each family: its most common
  // parents as a hot set (their share, Zipf beyond), else uniform.
  void distinct_dist(YAML::Emitter& out, const ColumnStats& c) const {
    double share = 0;
    int64_t hot = 0;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i) share += c.mcf[i], ++hot;
    if (hot > 0 && share > 0 && share < 1) {
      out << YAML::Key << "dist" << YAML::Value << "hotset";
      out << YAML::Key << "hot" << YAML::Value << hot;
      out << YAML::Key << "share" << YAML::Value << std::round(share * 1e6) / 1e6;
    } else {
      out << YAML::Key << "dist" << YAML::Value << "uniform";
    }
    out << YAML::Key << "of" << YAML::Value << fanout_->fk;
  }

  // Unique on its own (a key or a full unique index): such a column keeps its own dist.
  static bool unique_alone(const TableStats& t, const std::string& column) {
    if (unique_column(t, column)) return true;
    for (const auto& index : t.indexes)
      if (index.unique && single_key(index.columns, column) && index.where.empty()) return true;
    return false;
  }

  // A multi-column foreign key of `t` this import can express: to an imported
  // parent whose primary key is those columns and is made by construction (a
  // fanout key and its child numbers), every column NOT NULL, no name a
  // `parent(x, y)` text cannot hold. The child picks a parent row and copies
  // its key, so every pair exists.
  const ForeignKeyStats* composite_fk(const TableStats& t, const ForeignKeyStats& fk) const {
    if (fk.columns.size() < 2 || fk.columns.size() != fk.parent_columns.size()) return nullptr;
    const TableStats* parent = snap_.find_table(fk.parent_table);
    if (!parent || parent == &t) return nullptr;
    const auto key = find_fanout_key(*parent);
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    const auto pk = sorted(parent->primary_key);
    const bool fanout_pair = key && !key->number.empty() && pk == sorted({key->fk, key->number});
    if (pk != sorted(fk.parent_columns) || !(fanout_pair || (!key && paired_key(*parent))))
      return nullptr;
    auto plain = [](const std::string& name) {
      return name.find_first_of("(),\"") == std::string::npos && !name.empty() &&
             name.front() != ' ' && name.back() != ' ';
    };
    if (!plain(fk.parent_table)) return nullptr;
    for (size_t i = 0; i < fk.columns.size(); ++i) {
      const ColumnStats* c = t.find_column(fk.columns[i]);
      const ColumnStats* p = parent->find_column(fk.parent_columns[i]);
      if (!c || !p || !c->not_null || !profile_type(*c) || !profile_type(*p) ||
          !plain(fk.parent_columns[i]) || c->generated || !c->identity.empty())
        return nullptr;
      if (usable_fk(t, fk.columns[i]) ||
          (fanout_ && (fanout_->fk == fk.columns[i] || fanout_->number == fk.columns[i] ||
                       fanout_->distinct == fk.columns[i])))
        return nullptr;  // the column is already another key's
    }
    return &fk;
  }

  // A parent's composite primary key the generator pairs (its first two
  // columns drawn by their own distributions, not copied through a key).
  bool paired_key(const TableStats& parent) const {
    const auto& key = parent.primary_key;
    if (key.size() < 2) return false;
    for (size_t i = 0; i < key.size(); ++i) {
      const ColumnStats* c = parent.find_column(key[i]);
      if (!c || !profile_type(*c)) return false;
      for (const auto& f : parent.foreign_keys)
        if (i < 2 && f.columns.size() > 1 &&
            std::find(f.columns.begin(), f.columns.end(), key[i]) != f.columns.end())
          return false;
    }
    return true;
  }

  // The multi-column foreign key whose column `column` is (and its place in it).
  const ForeignKeyStats* composite_fk_of(const TableStats& t, const std::string& column,
                                         size_t& at) const {
    for (const auto& fk : t.foreign_keys)
      if (composite_fk(t, fk))
        for (size_t i = 0; i < fk.columns.size(); ++i)
          if (fk.columns[i] == column) return at = i, &fk;
    return nullptr;
  }

  // The composite keys of `t` built unique by pairing (stats/pair_columns.hpp).
  std::vector<stats::StatsPair> pairs_;
  void choose_table_pairs(const TableStats& t) {
    auto pairable = [&](const std::string& name) {
      const ColumnStats* c = t.find_column(name);
      size_t at = 0;
      if (!c || !profile_type(*c) || (composite_fk_of(t, name, at) && at > 0)) return false;
      return !(fanout_ &&
               (fanout_->fk == name || fanout_->number == name || fanout_->distinct == name));
    };
    auto proven = [&](const std::vector<std::string>& key) {
      return holds_fanout_key(key) || std::any_of(key.begin(), key.end(), [&](const auto& c) {
               return unique_column(t, c);
             });
    };
    pairs_ = stats::choose_pairs(t, pairable, proven);
  }
  // A pair's member column with the n_distinct its family needs.
  ColumnStats pair_member_stats(const TableStats& t, const ColumnStats& c) const {
    ColumnStats out = c;
    for (const auto& p : pairs_)
      if (p.members.size() == 1 && p.members[0] == c.name)
        if (const ColumnStats* family = t.find_column(p.family))
          out.n_distinct =
              stats::member_n_distinct(*family, c, static_cast<double>(observed_rows(t)));
    return out;
  }

  bool holds_fanout_key(const std::vector<std::string>& columns) const {
    if (!fanout_) return false;
    auto listed = [&](const std::string& c) {
      return std::find(columns.begin(), columns.end(), c) != columns.end();
    };
    return listed(fanout_->fk) &&
           (fanout_->number.empty() ? listed(fanout_->distinct) : listed(fanout_->number));
  }

  // The parents a fanout key uses in production: its n_distinct as a count (one
  // child each when unknown), at most its rows and its parent table's rows.
  double fanout_used(const TableStats& t, const ColumnStats& c) const {
    const auto r = static_cast<double>(observed_rows(t));
    double parents = c.n_distinct >= 0 ? c.n_distinct : -c.n_distinct * r;
    if (!c.has_stats || !(parents >= 1)) parents = r;
    if (const ForeignKeyStats* fk = usable_fk(t, c.name))
      if (const TableStats* parent = snap_.find_table(fk->parent_table))
        parents = std::min(parents, static_cast<double>(observed_rows(*parent)));
    return std::max(1.0, std::min(std::round(parents), r));
  }

  // The test scale point's rows of a table with a fanout key: as every table's,
  // but no more than its parent's test rows can take at production's mean.
  int64_t fanout_test_rows(const TableStats& t, int64_t rows) const {
    int64_t out = test_rows(rows);
    const ColumnStats* c = t.find_column(fanout_->fk);
    const ForeignKeyStats* fk = c ? usable_fk(t, c->name) : nullptr;
    const TableStats* parent = fk ? snap_.find_table(fk->parent_table) : nullptr;
    if (!parent) return out;
    const double mean = static_cast<double>(rows) / fanout_used(t, *c);
    const auto parent_test = static_cast<double>(test_rows(observed_rows(*parent)));
    return std::max<int64_t>(
        1, std::min<int64_t>(out, std::llround(std::floor(parent_test * mean * 0.99))));
  }

  // The fan-out of a foreign key from its pg_stats row: production's parents
  // used (n_distinct), each most common parent with its own child count
  // (frequency x rows), the other parents sharing the other rows as evenly as
  // whole numbers allow (two neighbouring sizes with production's mean).
  void fanout_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                   int64_t rows) const {
    const auto r = static_cast<double>(rows);
    const double parents = fanout_used(t, c);
    std::map<int64_t, double> weights;
    double left_rows = r, left_parents = parents;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size() && left_parents > 1; ++i) {
      const auto size = std::max<int64_t>(1, std::llround(c.mcf[i] * r));
      if (static_cast<double>(size) > left_rows - (left_parents - 1)) break;
      weights[size] += 1;
      left_rows -= static_cast<double>(size);
      left_parents -= 1;
    }
    if (left_parents >= 1 && left_rows >= 1) {
      const double mean = std::max(1.0, left_rows / left_parents);
      const double lo = std::floor(mean), share_hi = mean - lo;
      if (share_hi < 1 - 1e-9) weights[static_cast<int64_t>(lo)] += left_parents * (1 - share_hi);
      if (share_hi > 1e-9) weights[static_cast<int64_t>(lo) + 1] += left_parents * share_hi;
    }
    if (weights.empty()) weights[1] = 1;
    out << YAML::Key << "dist" << YAML::Value << "fanout";
    out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [size, weight] : weights)
      out << YAML::Key << size << YAML::Value << std::round(weight * 1e6) / 1e6;
    out << YAML::EndMap;
  }

  std::string hidden_note() const {
    return fmt::format(
        "role '{0}' may not read the statistics of {1} column{2} in {3} table{4} ({5}): "
        "pg_stats shows a column only to roles that may SELECT it, and not on tables whose "
        "row-level security applies to the role; those columns got default distributions. "
        "Grant it, then run stats again: GRANT SELECT ON ALL TABLES IN SCHEMA {6} TO {7}; "
        "(or GRANT pg_read_all_data TO {7}; on PostgreSQL 14+; row-level security also needs "
        "BYPASSRLS or the table's owner). pg_read_all_stats does not help: it covers the "
        "pg_stat_* views, not pg_stats",
        snap_.role, hidden_columns_, hidden_columns_ == 1 ? "" : "s", hidden_tables_.size(),
        hidden_tables_.size() == 1 ? "" : "s", fmt::join(hidden_tables_, ", "),
        quote_ident(snap_.schema), quote_ident(snap_.role));
  }

  int64_t test_rows(int64_t rows, bool anchor = false) const {
    const auto scaled =
        std::max<int64_t>(1, std::llround(static_cast<double>(rows) * options_.test_fraction));
    return anchor ? scaled : std::min(rows, std::max(scaled, kSmallTable));
  }

  // The foreign key of `column` this import can express (single column, to a
  // unique parent column of an imported table), or nullptr.
  const ForeignKeyStats* usable_fk(const TableStats& t, const std::string& column) const {
    for (const auto& fk : t.foreign_keys) {
      if (!single_key(fk.columns, column)) continue;
      // A profile refuses a NOT NULL key to its own table (a cycle with no way in).
      if (const ColumnStats* own = t.find_column(column);
          fk.parent_table == t.name && own && own->not_null)
        continue;
      const TableStats* parent = snap_.find_table(fk.parent_table);
      if (!parent) continue;
      // The parent column must be in the profile as a generated key.
      const ColumnStats* key = parent->find_column(fk.parent_columns[0]);
      if (unique_column(*parent, fk.parent_columns[0]) && key && profile_type(*key) &&
          !key->generated)
        return &fk;
    }
    return nullptr;
  }

  static bool unique_column(const TableStats& t, const std::string& column) {
    if (single_key(t.primary_key, column)) return true;
    for (const auto& u : t.unique_keys)
      if (single_key(u, column)) return true;
    return false;
  }

  // What the profile format cannot carry yet, named so nothing goes in silence.
  void structure_notes(const TableStats& t) {
    for (const auto& c : t.columns) {
      if (!c.identity.empty() &&
          !(parse_column_type(c.type) && parse_column_type(c.type)->is_integer()))
        leave_out(fmt::format("identity of column {}.{}", t.name, c.name),
                  fmt::format("GENERATED {} AS IDENTITY loaded as plain values",
                              c.identity == "a" ? "ALWAYS" : "BY DEFAULT"));
    }
  }

  void table(YAML::Emitter& out, const TableStats& t) {
    structure_notes(t);
    if (!t.partition_by.empty()) {
      if (const std::string why = partitions_problem(t); !why.empty())
        leave_out(fmt::format("partitioning of table {}", t.name),
                  fmt::format("PARTITION BY {}: {}; rebuilt as one plain table, with the row "
                              "count and statistics ANALYZE gave the parent",
                              t.partition_by, why));
      else
        stats::rebuilt_partition_names(t, rebuilt_partitions_);
    }
    if (!t.partition_by.empty() &&
        std::none_of(t.columns.begin(), t.columns.end(), [](const auto& c) { return c.has_stats; }))
      notes_.push_back(fmt::format(
          "{}: neither the partitioned table nor its leaves have statistics (autovacuum never "
          "analyzes a partitioned parent); run ANALYZE {} on the source, then stats again",
          t.name, quote_ident(t.name)));
    fanout_ = find_fanout_key(t);
    const int64_t rows = observed_rows(t);
    choose_table_pairs(t);
    if (t.reltuples < 0)
      notes_.push_back(fmt::format("{}: never analyzed on the source; 1 row assumed", t.name));
    out << YAML::Key << t.name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "rows" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "test" << YAML::Value
        << (fanout_ ? fanout_test_rows(t, rows) : test_rows(rows));
    out << YAML::Key << "production" << YAML::Value << rows;
    out << YAML::EndMap;
    std::vector<std::string> emitted;
    for (const auto& c : t.columns)
      if (profile_type(c)) emitted.push_back(c.name);
    in_lists_.clear();
    patterns_.clear();
    rebuilt_.clear();
    const std::vector<const CheckStats*> checks = kept_checks(t, emitted, in_lists_);
    emitted.clear();
    out << YAML::Key << "columns" << YAML::Value << YAML::BeginMap;
    for (const auto& c : t.columns)
      if (column(out, t, c, rows)) emitted.push_back(c.name);
    out << YAML::EndMap;
    objects_.kept_columns(t.name, emitted);
    if (!checks.empty()) {
      out << YAML::Key << "checks" << YAML::Value << YAML::BeginSeq;
      for (const CheckStats* check : checks)
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
            << YAML::DoubleQuoted << check->name << YAML::Key << "check" << YAML::Value
            << YAML::DoubleQuoted
            << (rebuilt_.count(check->name) ? rebuilt_[check->name]
                                            : check_expression(check->definition))
            << YAML::EndMap;
      out << YAML::EndSeq;
    }
    bool any_composite = false;
    for (const auto& fk : t.foreign_keys) {
      if (!composite_fk(t, fk)) continue;
      if (!any_composite) out << YAML::Key << "foreign_keys" << YAML::Value << YAML::BeginSeq;
      any_composite = true;
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "columns" << YAML::Value << YAML::Flow
          << fk.columns << YAML::Key << "ref" << YAML::Value << YAML::DoubleQuoted
          << fmt::format("{}({})", fk.parent_table, fmt::join(fk.parent_columns, ", "));
      stats::ObjectWriter::write_fk_actions(out, fk.actions);
      out << YAML::EndMap;
    }
    if (any_composite) out << YAML::EndSeq;
    for (const auto& other : t.other_constraints)
      leave_out(fmt::format("constraint {}.{}", t.name, other.substr(0, other.find(": "))),
                fmt::format("{}: exclusion constraints and constraint triggers are not rebuilt",
                            other.substr(other.find(": ") + 2)));
    auto known = [&](const std::string& c) {
      return std::find(emitted.begin(), emitted.end(), c) != emitted.end();
    };
    // A profile proves a composite key unique through one unique member column;
    // otherwise the key's index is still built (plain) so plans can use it.
    const bool composite = t.primary_key.size() > 1;
    const bool provable = composite &&
                          std::all_of(t.primary_key.begin(), t.primary_key.end(), known) &&
                          (holds_fanout_key(t.primary_key) ||
                           std::any_of(t.primary_key.begin(), t.primary_key.end(),
                                       [&](const auto& c) { return unique_column(t, c); }) ||
                           stats::pair_built(pairs_, t.primary_key));
    if (fanout_ && fanout_->cluster && known(fanout_->fk))
      out << YAML::Key << "cluster" << YAML::Value << fanout_->fk;
    else
      stats::write_pair_cluster(out, t, pairs_, known);
    if (provable)
      out << YAML::Key << "primary_key" << YAML::Value << YAML::Flow << t.primary_key;
    else if (composite)
      notes_.push_back(
          fmt::format("{}: composite primary key ({}) reproduced as a plain index: uniqueness of "
                      "generated combinations cannot be guaranteed",
                      t.name, fmt::join(t.primary_key, ", ")));
    std::vector<const IndexStats*> indexes;
    for (const auto& index : t.indexes) {
      const std::string object = fmt::format("index {}.{}", t.name, index.name);
      if (const auto unmet = objects_.unmet(index.needs); !index.constraint && !unmet.empty()) {
        leave_out(object, fmt::format("it needs {}, which stats does not create on the mirror "
                                      "(create it there and add the index in the overlay)",
                                      fmt::join(unmet, ", ")));
        continue;
      }
      if (index.constraint && !index.plain && !index.method.empty() && index.method != "btree") {
        leave_out(object, fmt::format("it backs an exclusion constraint (USING {})", index.method));
        continue;
      }
      if (index.constraint && !index.plain)
        leave_out(object + " (its INCLUDE columns, operator classes or collations)",
                  fmt::format("the key is rebuilt from its columns alone; production's is {}",
                              index.definition));
      if (!index.constraint && !index.plain && index.definition.empty()) {
        leave_out(object, "its definition holds string literals that --redact hides");
        continue;
      }
      if (!index.constraint && !index.plain) {
        // Production's definition, whole: expressions, INCLUDE, operator classes,
        // GIN, GiST, BRIN, hash. It may read only columns the profile has.
        auto missing = std::find_if(index.uses.begin(), index.uses.end(),
                                    [&](const auto& c) { return !known(c); });
        if (missing != index.uses.end()) {
          leave_out(object, fmt::format("it reads column {}, which is left out", *missing));
          continue;
        }
        definitions_.push_back(&index);
        continue;
      }
      const bool plain_pk = composite && !provable && index.columns == t.primary_key;
      // A composite UNIQUE constraint has no profile form yet: its index is kept
      // (plain) and named in a note rather than vanishing.
      const bool plain_unique = index.constraint && index.unique && index.columns.size() > 1 &&
                                index.columns != t.primary_key;
      // A key holding the fanout pair stays unique (an index with unique: true).
      const bool pair_unique =
          index.unique && index.columns.size() > 1 &&
          (holds_fanout_key(index.columns) || stats::pair_built(pairs_, index.columns)) &&
          index.columns != t.primary_key;
      if (index.constraint && !plain_pk && !plain_unique && !pair_unique) {  // primary_key / unique
        if (!std::all_of(index.columns.begin(), index.columns.end(), known))
          leave_out(object, "the key reads a column that is left out");
        continue;
      }
      // A single-column unique index makes its column `unique: true`; that key is
      // the same object, so the index is not built a second time (names collide).
      if (!index.constraint && index.unique && index.columns.size() == 1 && index.where.empty() &&
          known(index.columns[0])) {
        notes_.push_back(
            fmt::format("{}: unique index {} reproduced as the unique key of column {} ({}_{}_key)",
                        t.name, index.name, index.columns[0], t.name, index.columns[0]));
        continue;
      }
      if (!std::all_of(index.columns.begin(), index.columns.end(), known)) {
        leave_out(object, "it reads a column that is left out");
        continue;
      }
      if (pair_unique) {
        // Unique by construction: no note.
      } else if (plain_unique) {
        notes_.push_back(fmt::format(
            "{}: unique constraint {} ({}) built as a non-unique index: generated combinations "
            "may repeat",
            t.name, index.name, fmt::join(index.columns, ", ")));
      } else if (index.unique && index.columns.size() > 1) {
        notes_.push_back(fmt::format(
            "{}: unique index {} built as non-unique: generated combinations may repeat", t.name,
            index.name));
      }
      indexes.push_back(&index);
    }
    if (!indexes.empty() || !definitions_.empty()) {
      out << YAML::Key << "indexes" << YAML::Value << YAML::BeginSeq;
      for (const IndexStats* index : indexes) {
        out << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << index->name;
        out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
        for (size_t i = 0; i < index->columns.size(); ++i)
          index_column(out, index->columns[i], index->orders[i]);
        out << YAML::EndSeq;
        if (!index->where.empty())
          out << YAML::Key << "where" << YAML::Value << YAML::DoubleQuoted << index->where;
        const bool paired =
            index->columns.size() > 1 &&
            (holds_fanout_key(index->columns) || stats::pair_built(pairs_, index->columns));
        if (index->unique && ((index->columns.size() == 1 && index->where.empty()) || paired))
          out << YAML::Key << "unique" << YAML::Value << true;
        // A UNIQUE constraint stays one (pg_get_constraintdef as production's).
        if (index->unique && index->constraint && paired && index->where.empty())
          out << YAML::Key << "constraint" << YAML::Value << true;
        out << YAML::EndMap;
      }
      for (const IndexStats* index : definitions_) {
        // Unique on the mirror only when one of its plain key columns is unique
        // there: generated values of an expression could repeat.
        const bool unique =
            index->unique && std::any_of(index->columns.begin(), index->columns.end(),
                                         [&](const auto& c) { return unique_column(t, c); });
        if (index->unique && !unique)
          leave_out(fmt::format("uniqueness of index {}.{}", t.name, index->name),
                    "built non-unique: the values it indexes are generated and could repeat");
        out << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << index->name;
        out << YAML::Key << "definition" << YAML::Value << YAML::DoubleQuoted << index->definition;
        if (unique) {
          // The key columns that prove it unique, for validate's check.
          out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
          for (const auto& c : index->columns)
            if (!c.empty()) index_column(out, c, "");
          out << YAML::EndSeq;
          out << YAML::Key << "unique" << YAML::Value << true;
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    statistics(out, t, emitted);
    partitions(out, t);
    definitions_.clear();
    out << YAML::EndMap;
  }

  std::string partitions_problem(const TableStats& t) const {
    return stats::partitions_problem(t, snap_.redacted);
  }

  // partition_by: and partitions: (partition_writer.cpp).
  void partitions(YAML::Emitter& out, const TableStats& t) {
    if (t.partition_by.empty() || !partitions_problem(t).empty()) return;
    stats::write_partitions(out, t);
  }
  std::vector<const IndexStats*> definitions_;  // this table's indexes kept by definition
  std::map<std::string, std::string> rebuilt_;  // this table's checks written back, by name
  std::map<std::string, std::vector<std::string>> in_lists_;  // this table's IN-list checks
  std::map<std::string, std::string> patterns_;  // this table's LIKE / regex checks as patterns

  // A textual column's LIKE or regex CHECK, kept when a pattern can stay inside it.
  bool pattern_check(const TableStats& t, const std::string& column, const std::string& expr) {
    for (const auto& c : t.columns)
      if (auto type = parse_column_type(c.type); c.name == column && type && type->is_textual())
        if (auto p = check_pattern(expr, printed_name(column), type->max_chars())) {
          patterns_[column] = *p;
          return true;
        }
    return false;
  }

  // Emits one column; false when its type cannot be reproduced (it is left out).
  bool column(YAML::Emitter& out, const TableStats& t, const ColumnStats& c, int64_t rows) {
    if (c.generated) {
      const auto named = c.extension_type.empty() ? profile_type(c) : std::nullopt;
      const bool opaque =
          !named && c.extension_type.empty() && opaque_spelling(c.type) && !type_missing(c.type);
      return objects_.write_generated(out, t, c,
                                      named    ? named->first
                                      : opaque ? c.type
                                               : "",
                                      [this](const auto& o, const auto& r) { leave_out(o, r); });
    }
    if (!c.extension_type.empty()) {
      leave_out(fmt::format("column {}.{}", t.name, c.name),
                fmt::format("its type {} comes from extension {}, which stats does not create on "
                            "the mirror",
                            c.type, c.extension_type));
      return false;
    }
    auto named = profile_type(c);
    if (!named) {
      bool referenced = false;
      for (const auto& other : snap_.tables)
        for (const auto& f : other.foreign_keys)
          referenced = referenced || (f.parent_table == t.name &&
                                      std::find(f.parent_columns.begin(), f.parent_columns.end(),
                                                c.name) != f.parent_columns.end());
      for (const auto& fk : t.foreign_keys)
        if (std::find(fk.columns.begin(), fk.columns.end(), c.name) != fk.columns.end())
          leave_out(fmt::format("foreign key {}.{}", t.name, fk.name),
                    fmt::format("column {} has type {}, which pgshape does not generate", c.name,
                                c.type));
      // Production's own values as the type's literals: the MCVs with their
      // frequencies and the histogram's bounds sharing the rest.
      std::vector<std::pair<std::string, double>> sample;
      double named_share = 0;
      for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
        if (c.mcf[i] > 0) {
          sample.emplace_back(c.mcv[i], c.mcf[i]);
          named_share += c.mcf[i];
        }
      const double rest = std::max(0.0, 1.0 - c.null_frac - named_share);
      for (const auto& bound : c.histogram)
        sample.emplace_back(bound, std::max(rest, 1e-6) / static_cast<double>(c.histogram.size()));
      const bool keyed =
          single_key(t.primary_key, c.name) || referenced || unique_column(t, c.name);
      if (!keyed && !snap_.redacted && opaque_spelling(c.type) && !type_missing(c.type))
        if (auto note = stats::write_element_column(out, c, t.reltuples)) {
          notes_.push_back(fmt::format("{}.{}", t.name, *note));
          return true;
        }
      // Not under --redact: only text values are redacted, and these are not text.
      if (!sample.empty() && !keyed && !snap_.redacted && opaque_spelling(c.type) &&
          !type_missing(c.type)) {
        leave_out(fmt::format("values of column {}.{}", t.name, c.name),
                  fmt::format("type {} is not one pgshape generates: its values are drawn from "
                              "the {} production values pg_stats holds (fewer distinct values)",
                              c.type, sample.size()));
        out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
        const bool nullable = !c.not_null;
        if (nullable) out << YAML::Key << "nullable" << YAML::Value << true;
        if (nullable && c.null_frac > 0)
          out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
        out << YAML::Key << "dist" << YAML::Value << "weighted";
        out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
        std::map<std::string, double> seen;
        for (const auto& [v, w] : sample) seen[v] += w;
        for (const auto& [v, w] : sample)
          if (auto it = seen.find(v); it != seen.end()) {
            out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << it->second;
            seen.erase(it);
          }
        out << YAML::EndMap << YAML::EndMap;
        return true;
      }
      if (c.not_null || keyed || !opaque_spelling(c.type) || type_missing(c.type)) {
        leave_out(fmt::format("column {}.{}", t.name, c.name),
                  fmt::format("type {} is not one pgshape generates{}: the mirror's table lacks "
                              "it",
                              c.type,
                              keyed        ? " and the column is a key"
                              : c.not_null ? " and pg_stats holds none of its values"
                                           : ""));
        return false;
      }
      // Nullable: the column stays, all NULL, so queries and indexes naming it
      // still work on the mirror; its values are what is left out.
      leave_out(fmt::format("values of column {}.{}", t.name, c.name),
                fmt::format("type {} is not one pgshape generates: the column is all NULL on "
                            "the mirror",
                            c.type));
      out << YAML::Key << c.name << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
      out << YAML::Key << "null_fraction" << YAML::Value << 1 << YAML::EndMap;
      return true;
    }
    const ColumnType* type = &named->second;
    const TypeStats* own = nullptr;
    if (auto it = types_.find(c.type); it != types_.end()) own = it->second;
    const bool is_enum = own && own->kind == 'e';
    const bool pk = single_key(t.primary_key, c.name);
    bool unique = unique_column(t, c.name);
    for (const auto& index : t.indexes)
      if (index.unique && index.plain && single_key(index.columns, c.name) && index.where.empty())
        unique = true;
    const ForeignKeyStats* fk = usable_fk(t, c.name);
    size_t in_composite = 0;
    const ForeignKeyStats* composite = composite_fk_of(t, c.name, in_composite);
    for (const auto& other : t.foreign_keys)
      if (&other != fk && &other != composite &&
          std::find(other.columns.begin(), other.columns.end(), c.name) != other.columns.end())
        leave_out(fmt::format("foreign key {}.{}", t.name, other.name),
                  "multi-column, to a table or key not imported, or NOT NULL to its own table");
    // A referenced column must not be NULL in a profile.
    bool referenced = false;
    for (const auto& other : snap_.tables)
      for (const auto& f : other.foreign_keys)
        if (f.parent_table == t.name && single_key(f.parent_columns, c.name)) referenced = true;

    out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << named->first;
    if (!c.identity.empty() && type->is_integer() && type->user_type.empty())
      out << YAML::Key << "identity" << YAML::Value
          << (c.identity == "a" ? "always" : "by default");
    if (pk && !fk && unique_dist_possible(*type))
      out << YAML::Key << "primary_key" << YAML::Value << true;
    if (unique && !pk && !fk && unique_dist_possible(*type))
      out << YAML::Key << "unique" << YAML::Value << true;
    const bool nullable = !c.not_null && !pk && !referenced;
    if (nullable) out << YAML::Key << "nullable" << YAML::Value << true;
    if (nullable && c.has_stats && c.null_frac > 0)
      out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
    if (fk)
      out << YAML::Key << "ref" << YAML::Value
          << ref_part(fk->parent_table) + "." + ref_part(fk->parent_columns[0]);
    if (fk) stats::ObjectWriter::write_fk_actions(out, fk->actions);
    if (composite) {
      // The first column picks a parent row (uniformly: production's pairs are
      // not in pg_stats), the others copy that row's key columns.
      if (in_composite == 0)
        out << YAML::Key << "ref" << YAML::Value
            << ref_part(composite->parent_table) + "." + ref_part(composite->parent_columns[0])
            << YAML::Key << "dist" << YAML::Value << "uniform";
      else
        out << YAML::Key << "dist" << YAML::Value << "copy" << YAML::Key << "from" << YAML::Value
            << ref_part(composite->columns[0]) + "." +
                   ref_part(composite->parent_columns[in_composite]);
      out << YAML::EndMap;
      return true;
    }
    std::vector<std::string> allowed;
    if (is_enum) allowed = own->labels;
    if (auto it = in_lists_.find(c.name); it != in_lists_.end()) allowed = it->second;
    if (own && own->kind == 'd')
      for (const auto& check : own->checks)
        if (auto shape = check_shape(check_expression(check), "VALUE"); !shape.in_list.empty())
          allowed = shape.in_list;
    std::optional<std::string> pattern;
    if (auto it = patterns_.find(c.name); it != patterns_.end()) pattern = it->second;
    if (own && own->kind == 'd') pattern = domain_pattern(own->checks, type->max_chars());
    if (pattern && !fk && !composite && !(fanout_ && c.name == fanout_->number)) {
      // Values only a CHECK's LIKE / regex lets through: its pattern, with production's
      // distinct count (a unique column's codes are all distinct anyway).
      out << YAML::Key << "dist" << YAML::Value << "pattern" << YAML::Key << "pattern"
          << YAML::Value << YAML::DoubleQuoted << *pattern;
      if (c.has_stats && c.n_distinct != 0 && !pk && !unique)
        out << YAML::Key << "n_distinct" << YAML::Value
            << (c.n_distinct > 0 ? std::round(c.n_distinct) : c.n_distinct);
    } else if (fanout_ && c.name == fanout_->fk && fk) {
      fanout_dist(out, t, c, rows);
    } else if (fanout_ && c.name == fanout_->distinct && fk) {
      distinct_dist(out, c);
    } else if (fanout_ && !fanout_->number.empty() && c.name == fanout_->number) {
      out << YAML::Key << "dist" << YAML::Value << "child_number";
      out << YAML::Key << "of" << YAML::Value << fanout_->fk;
      if (fanout_->start != 1) out << YAML::Key << "start" << YAML::Value << fanout_->start;
    } else if (!allowed.empty() && !fk) {
      // A closed set of values (an enum's labels, a CHECK's IN list): production's
      // frequencies for the ones pg_stats names, the rest shared among the others.
      if (pk || unique)
        notes_.push_back(fmt::format("{}.{}: {} values cannot be unique; not unique", t.name,
                                     c.name, named->first));
      closed_dist(out, c, allowed);
    } else if ((pk || unique) && !fk && whole_unique_text(c, *type, rows)) {
      // Every value is in the statistics (a small table's names, codes): those
      // values, each once, rather than random strings.
      value_dist(out, t, c, *type, false);
    } else if ((pk || unique) && !fk && unique_dist_possible(*type)) {
      unique_dist(out, c, *type, rows);
    } else {
      if (pk || unique)
        leave_out(
            fmt::format("{} of column {}.{}", pk ? "primary key" : "uniqueness", t.name, c.name),
            fmt::format("unique {} values cannot be generated", type->sql()));
      const bool paired = std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) {
        return p.family == c.name ||
               std::find(p.members.begin(), p.members.end(), c.name) != p.members.end();
      });
      value_dist(out, t, paired ? pair_member_stats(t, c) : c, *type, fk != nullptr);
      if (!fk && !pk && !unique && !paired) given(out, t, c, *type);
    }
    out << YAML::EndMap;
    return true;
  }

  static void closed_dist(YAML::Emitter& out, const ColumnStats& c,
                          const std::vector<std::string>& allowed) {
    std::map<std::string, double> freq;
    double named = 0;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
      if (std::find(allowed.begin(), allowed.end(), c.mcv[i]) != allowed.end()) {
        freq[c.mcv[i]] = c.mcf[i];
        named += c.mcf[i];
      }
    // Values between the histogram's bounds (or any, without one) share the rest.
    std::vector<std::string> others;
    for (const auto& v : allowed)
      if (!freq.count(v)) others.push_back(v);
    const double rest = std::max(0.0, 1.0 - c.null_frac - named);
    const bool spread = !others.empty() && (rest > 1e-6 || freq.empty());
    out << YAML::Key << "dist" << YAML::Value << "weighted";
    out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& v : allowed) {
      double w = freq.count(v) ? freq[v] : spread ? std::max(rest, 1e-6) / others.size() : 0;
      if (freq.empty()) w = 1;
      if (w > 0) out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << w;
    }
    out << YAML::EndMap;
  }

  // The strongest functional dependency "a => c" (one determining column, degree
  // at least kGivenDegree) of t's extended statistics, or nullptr. When a and c
  // determine each other, only the stronger direction is kept (the weaker on a
  // tie loses to the first listed), so given: never forms a cycle.
  static constexpr double kGivenDegree = 0.5;
  std::pair<const ExtendedStats*, const ExtendedStats::Dependency*> dependency_of(
      const TableStats& t, const std::string& column) const {
    std::pair<const ExtendedStats*, const ExtendedStats::Dependency*> best{nullptr, nullptr};
    for (const auto& stats : t.extended)
      for (const auto& dep : stats.dependencies) {
        if (dep.to != column || dep.from.size() != 1 || dep.degree < kGivenDegree) continue;
        if (best.second && best.second->degree >= dep.degree) continue;
        bool reverse_wins = false;  // dep.from is itself given `column`?
        for (const auto& other : t.extended)
          for (const auto& back : other.dependencies)
            if (back.to == dep.from[0] && back.from.size() == 1 && back.from[0] == column &&
                (back.degree > dep.degree || (back.degree == dep.degree && column < dep.from[0])))
              reverse_wins = true;
        if (!reverse_wins) best = {&stats, &dep};
      }
    return best;
  }

  // given: for a column production's extended statistics say depends on another:
  // its degree, and per value of the parent in the multivariate MCV list the
  // column's values seen with it (weights = their joint frequencies).
  void given(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
             const ColumnType& type) {
    if (type.kind == PgType::kUuid || !c.has_stats) return;
    // Not a structured binding: the lambda below captures it (clang 14 refuses those).
    const auto found = dependency_of(t, c.name);
    const ExtendedStats* stats = found.first;
    const ExtendedStats::Dependency* dep = found.second;
    if (!dep) return;
    const ColumnStats* parent = t.find_column(dep->from[0]);
    auto parent_type = parent ? parse_column_type(parent->type) : std::nullopt;
    if (!parent_type) return;
    out << YAML::Key << "given" << YAML::Value << dep->from[0];
    out << YAML::Key << "degree" << YAML::Value << std::round(dep->degree * 1e6) / 1e6;
    // Redacted text must not come back through the MCV list's values.
    if (snap_.redacted && (type.is_textual() || parent_type->is_textual())) return;
    const auto at = [&](const std::string& name) {
      return static_cast<size_t>(std::find(stats->columns.begin(), stats->columns.end(), name) -
                                 stats->columns.begin());
    };
    const size_t pi = at(dep->from[0]), ci = at(c.name);
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> cases;
    for (const auto& item : stats->mcv) {
      if (pi >= item.values.size() || ci >= item.values.size()) continue;
      const auto& pv = item.values[pi];
      const auto& cv = item.values[ci];
      if (!pv || !cv || !readable(*parent_type, *pv) || !readable(type, *cv) || item.frequency <= 0)
        continue;
      auto it =
          std::find_if(cases.begin(), cases.end(), [&](const auto& k) { return k.first == *pv; });
      if (it == cases.end()) it = cases.insert(cases.end(), {*pv, {}});
      auto v = std::find_if(it->second.begin(), it->second.end(),
                            [&](const auto& w) { return w.first == *cv; });
      if (v == it->second.end())
        it->second.emplace_back(*cv, item.frequency);
      else
        v->second += item.frequency;  // other columns of the object differ
    }
    if (cases.empty()) return;
    out << YAML::Key << "cases" << YAML::Value << YAML::BeginMap;
    for (const auto& [value, weights] : cases) {
      out << YAML::Key << YAML::DoubleQuoted << value << YAML::Value << YAML::Flow << YAML::BeginMap
          << YAML::Key << "dist" << YAML::Value << "weighted";
      out << YAML::Key << "values" << YAML::Value << YAML::BeginMap;
      for (const auto& [v, w] : weights)
        out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << w;
      out << YAML::EndMap << YAML::EndMap;
    }
    out << YAML::EndMap;
  }

  // A unique text column whose histogram bounds (and MCVs) hold a value for
  // every row: ANALYZE saw the whole table and it has few rows.
  static bool whole_unique_text(const ColumnStats& c, const ColumnType& type, int64_t rows) {
    if (!type.is_textual() || !c.has_stats || c.histogram.size() < 2) return false;
    std::set<std::string> values(c.histogram.begin(), c.histogram.end());
    values.insert(c.mcv.begin(), c.mcv.end());
    return static_cast<int64_t>(values.size()) >= rows;
  }

  // statistics: production's CREATE STATISTICS objects, on the columns imported.
  void statistics(YAML::Emitter& out, const TableStats& t,
                  const std::vector<std::string>& emitted) {
    std::vector<const ExtendedStats*> kept;
    for (const auto& stats : t.extended) {
      if (stats.expressions) {
        notes_.push_back(fmt::format(
            "{}: statistics {} skipped: it is on expressions, which a profile cannot build", t.name,
            stats.name));
        continue;
      }
      if (std::all_of(stats.columns.begin(), stats.columns.end(), [&](const auto& c) {
            return std::find(emitted.begin(), emitted.end(), c) != emitted.end();
          }))
        kept.push_back(&stats);
      else
        leave_out(fmt::format("statistics {}.{}", t.name, stats.name),
                  "a column of it is not imported");
    }
    if (kept.empty()) return;
    out << YAML::Key << "statistics" << YAML::Value << YAML::BeginSeq;
    for (const ExtendedStats* stats : kept) {
      out << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "name" << YAML::Value << stats->name;
      out << YAML::Key << "columns" << YAML::Value << YAML::Flow << stats->columns;
      out << YAML::Key << "kinds" << YAML::Value << YAML::Flow << stats->kinds;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }

  static bool unique_dist_possible(const ColumnType& type) {
    return type.is_integer() || type.is_textual() || type.kind == PgType::kUuid;
  }

  void unique_dist(YAML::Emitter& out, const ColumnStats& c, const ColumnType& type, int64_t rows) {
    if (type.kind == PgType::kUuid) {
      out << YAML::Key << "dist" << YAML::Value << "uuid";
      return;
    }
    if (type.is_textual()) {
      // Unique text: a pattern of letters and digits as wide as the values are.
      int width = static_cast<int>(std::llround(std::max(1.0, c.avg_width - 1)));
      int needed = 1;
      for (double domain = 36; domain < 4.0 * static_cast<double>(rows); domain *= 36) ++needed;
      width = std::max(width, needed);
      if (type.max_chars() > 0) width = std::min(width, type.max_chars());
      out << YAML::Key << "dist" << YAML::Value << "pattern";
      out << YAML::Key << "pattern" << YAML::Value << YAML::DoubleQuoted << std::string(width, '*');
      return;
    }
    // Integer keys: a sequence over the observed range.
    int64_t start = 1, step = 1;
    if (c.histogram.size() >= 2) {
      const double lo = std::strtod(c.histogram.front().c_str(), nullptr);
      const double hi = std::strtod(c.histogram.back().c_str(), nullptr);
      start = static_cast<int64_t>(lo);
      if (rows > 1)
        step = std::max<int64_t>(1, std::llround((hi - lo) / static_cast<double>(rows - 1)));
    }
    out << YAML::Key << "dist" << YAML::Value << "sequence";
    if (start != 1) out << YAML::Key << "start" << YAML::Value << start;
    if (step != 1) out << YAML::Key << "step" << YAML::Value << step;
  }

  void value_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                  const ColumnType& type, bool fk) {
    if (!c.has_stats) {
      if (fk) out << YAML::Key << "dist" << YAML::Value << "uniform";
      if (!fk && type.is_textual()) out << YAML::Key << "dist" << YAML::Value << "words";
      if (c.stats_hidden) {
        if (hidden_tables_.empty() || hidden_tables_.back() != t.name)
          hidden_tables_.push_back(t.name);
        ++hidden_columns_;
        return;
      }
      notes_.push_back(
          fmt::format("{}.{}: no statistics on the source (not analyzed?); "
                      "default distribution",
                      t.name, c.name));
      return;
    }
    std::vector<std::pair<std::string, double>> values;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
      if (readable(type, c.mcv[i]) && c.mcf[i] > 0) values.emplace_back(c.mcv[i], c.mcf[i]);
    std::vector<std::string> histogram;
    for (const auto& b : c.histogram)
      if (readable(type, b)) histogram.push_back(b);
    if (type.kind == PgType::kUuid && c.n_distinct < -0.5) {
      out << YAML::Key << "dist" << YAML::Value << "uuid";
      return;
    }
    if (values.empty() && histogram.size() < 2) {
      if (fk) out << YAML::Key << "dist" << YAML::Value << "uniform";
      if (!fk && type.is_textual()) out << YAML::Key << "dist" << YAML::Value << "words";
      return;
    }
    out << YAML::Key << "dist" << YAML::Value << "empirical";
    if (!values.empty()) {
      out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [v, f] : values)
        out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << f;
      out << YAML::EndMap;
    }
    if (histogram.size() >= 2) {
      out << YAML::Key << "histogram" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& b : histogram) out << YAML::DoubleQuoted << b;
      out << YAML::EndSeq;
    }
    out << YAML::Key << "n_distinct" << YAML::Value << c.n_distinct;
    if (c.correlation)
      out << YAML::Key << "correlation" << YAML::Value << std::round(*c.correlation * 1e6) / 1e6;
    if (type.is_textual() && c.avg_width > 0)
      out << YAML::Key << "avg_width" << YAML::Value << c.avg_width;
  }
};

}  // namespace

std::string render_profile(const StatsSnapshot& snapshot, const ImportOptions& options,
                           std::vector<std::string>* notes) {
  std::vector<std::string> local;
  ImportOptions effective = options;
  if (effective.name.empty()) effective.name = snapshot.database + "_mirror";
  return Writer(snapshot, effective, notes ? *notes : local).render();
}

}  // namespace pgshape
