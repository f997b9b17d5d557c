// The objects of a stats-made profile besides tables (object_writer.hpp).
#include "stats/object_writer.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

namespace pgshape::stats {
namespace {

constexpr std::string_view kExtension = "extension ", kFunction = "function ";

bool starts(std::string_view text, std::string_view head) {
  return text.substr(0, head.size()) == head;
}

}  // namespace

ObjectWriter::ObjectWriter(const StatsSnapshot& snap) : snap_(snap) {
  for (const auto& f : snap.functions)
    if (f.problem.empty()) functions_.insert(f.name);
  auto add = [&](const std::vector<std::string>& needs) {
    for (const auto& need : needs)
      if (starts(need, kExtension)) extensions_.insert(need.substr(kExtension.size()));
  };
  for (const auto& t : snap.tables) {
    for (const auto& index : t.indexes) add(index.needs);
    for (const auto& c : t.columns) add(c.generated_needs);
  }
  for (const auto& type : snap.types) add(type.needs);
  for (const auto& v : snap.views) add(v.needs);
}

std::vector<std::string> ObjectWriter::unmet(const std::vector<std::string>& needs) const {
  std::vector<std::string> out;
  for (const auto& need : needs)
    if (starts(need, kFunction) ? !functions_.count(need.substr(kFunction.size()))
                                : !starts(need, kExtension))
      out.push_back(need);
  return out;
}

bool ObjectWriter::accounts_for(const std::string& object) const {
  for (const auto& f : snap_.functions)
    if (f.label == object) return true;
  for (const auto& v : snap_.views)
    if (object == "view " + v.name || object == "materialized view " + v.name) return true;
  return starts(object, kExtension) && extensions_.count(object.substr(kExtension.size()));
}

void ObjectWriter::kept_columns(const std::string& table, const std::vector<std::string>& columns) {
  columns_[table] = std::set<std::string>(columns.begin(), columns.end());
}

void ObjectWriter::write(YAML::Emitter& out, const LeaveOut& leave_out) {
  if (!extensions_.empty()) {
    out << YAML::Key << "extensions" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& e : extensions_) out << e;
    out << YAML::EndSeq;
  }
  bool any = false;
  for (const auto& f : snap_.functions) {
    if (!f.problem.empty()) {
      leave_out(f.label, f.problem);
      continue;
    }
    if (!any) out << YAML::Key << "functions" << YAML::Value << YAML::BeginSeq;
    any = true;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << f.name
        << YAML::Key << "definition" << YAML::Value << YAML::Literal << f.definition
        << YAML::EndMap;
  }
  if (any) out << YAML::EndSeq;
  // A view is rebuilt when everything it reads is on the mirror.
  std::set<std::string> views;
  any = false;
  for (const auto& v : snap_.views) {
    std::string missing;
    for (const auto& read : v.reads) {
      const auto space = read.find(' ');
      const std::string kind = read.substr(0, space), what = read.substr(space + 1);
      bool ok = false;
      if (kind == "table") {
        ok = columns_.count(what) > 0;
      } else if (kind == "column") {
        for (const auto& [table, cols] : columns_)
          if (starts(what, table + ".") && cols.count(what.substr(table.size() + 1))) ok = true;
      } else if (kind == "view") {
        ok = views.count(what) > 0;
      } else if (kind == "function") {
        ok = functions_.count(what) > 0;
      }
      if (!ok && missing.empty()) missing = read;
    }
    const std::string object = (v.materialized ? "materialized view " : "view ") + v.name;
    if (!missing.empty()) {
      leave_out(object, fmt::format("it reads {}, which the mirror does not have", missing));
      continue;
    }
    views.insert(v.name);
    if (!any) out << YAML::Key << "views" << YAML::Value << YAML::BeginSeq;
    any = true;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << v.name;
    if (v.materialized) out << YAML::Key << "materialized" << YAML::Value << true;
    out << YAML::Key << "query" << YAML::Value << YAML::Literal << v.query << YAML::EndMap;
  }
  if (any) out << YAML::EndSeq;
}

bool ObjectWriter::write_generated(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                                   const std::string& type, const LeaveOut& leave_out) const {
  const std::string object = fmt::format("column {}.{}", t.name, c.name);
  std::string problem;
  if (type.empty()) problem = fmt::format("its type {} has no form in a profile", c.type);
  for (const auto& read : c.generated_reads) {
    const ColumnStats* source = t.find_column(read);
    if (problem.empty() && (!source || !source->extension_type.empty() || source->generated))
      problem =
          fmt::format("its expression reads column {}, which the mirror does not generate", read);
  }
  if (const auto lacking = unmet(c.generated_needs); problem.empty() && !lacking.empty())
    problem = fmt::format("its expression needs {}, which the mirror does not get",
                          fmt::join(lacking, ", "));
  if (!problem.empty()) {
    leave_out(object, fmt::format("GENERATED ALWAYS AS ({}) STORED: {}", c.default_expr, problem));
    return false;
  }
  for (const auto& fk : t.foreign_keys)
    if (std::find(fk.columns.begin(), fk.columns.end(), c.name) != fk.columns.end())
      leave_out(fmt::format("foreign key {}.{}", t.name, fk.name),
                fmt::format("it holds generated column {}, which pgshape does not pick parents "
                            "for",
                            c.name));
  auto keyed = [&](const std::vector<std::string>& key) {
    return std::find(key.begin(), key.end(), c.name) != key.end();
  };
  if (keyed(t.primary_key))
    leave_out(fmt::format("primary key of {}", t.name),
              fmt::format("it holds generated column {}, whose values pgshape cannot keep unique",
                          c.name));
  for (const auto& u : t.unique_keys)
    if (keyed(u))
      leave_out(fmt::format("unique key ({}) of {}", fmt::join(u, ", "), t.name),
                fmt::format("it holds generated column {}, whose values pgshape cannot keep unique",
                            c.name));
  out << YAML::Key << c.name << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << type;
  out << YAML::Key << "generated" << YAML::Value << YAML::DoubleQuoted << c.default_expr;
  if (!c.not_null) out << YAML::Key << "nullable" << YAML::Value << true;
  out << YAML::EndMap;
  return true;
}

void ObjectWriter::write_fk_actions(YAML::Emitter& out, const std::string& actions) {
  auto after = [&](std::string_view head) -> std::string {
    const auto at = actions.find(head);
    if (at == std::string::npos) return {};
    std::string rest = actions.substr(at + head.size());
    for (const char* word : {"CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT"})
      if (starts(rest, word)) {
        std::string lower(word);
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return lower;
      }
    return {};
  };
  if (auto a = after("ON UPDATE "); !a.empty()) out << YAML::Key << "on_update" << YAML::Value << a;
  if (auto a = after("ON DELETE "); !a.empty()) out << YAML::Key << "on_delete" << YAML::Value << a;
  if (actions.find("DEFERRABLE") != std::string::npos)
    out << YAML::Key << "deferrable" << YAML::Value << true;
  if (actions.find("INITIALLY DEFERRED") != std::string::npos)
    out << YAML::Key << "initially_deferred" << YAML::Value << true;
}

}  // namespace pgshape::stats
