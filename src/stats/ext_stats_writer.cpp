// Production's extended statistics in a stats-made profile: a column's given:
// (its functional dependency and the multivariate MCV list's values) and the
// CREATE STATISTICS objects (statistics:).
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {

std::pair<const ExtendedStats*, const ExtendedStats::Dependency*> ProfileWriter::dependency_of(
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
void ProfileWriter::given(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
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

// statistics: production's CREATE STATISTICS objects, on the columns imported.
void ProfileWriter::statistics(YAML::Emitter& out, const TableStats& t,
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

}  // namespace pgshape::stats
