#include "pgshape/workload.hpp"

#include <fmt/format.h>
#include <charconv>
#include <nlohmann/json.hpp>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {

std::string literal_value(const QueryParam& param) {
  if (param.picks.empty()) return {};
  const Pick& pick = param.picks.front();
  return pick.kind == Pick::Kind::kLiteral ? pick.literal : pick.label();
}

ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed,
                      std::string_view stream, const std::vector<QueryParam>& sources,
                      int64_t count) {
  const DatasetGenerator generator(profile, scale, seed);
  struct Source {
    const TableGenerator* table = nullptr;
    size_t column = 0;
    std::string literal;
  };
  ParamFile file;
  std::vector<Source> resolved;
  for (size_t i = 0; i < sources.size(); ++i) {
    const QueryParam& p = sources[i];
    Source source;
    if (!p.table.empty()) {
      source.table = &generator.table(p.table);
      const int column = source.table->table().column_index(p.column);
      if (column < 0)
        throw UsageError("usage.unknown-table",
                         fmt::format("no column '{}.{}'", p.table, p.column));
      source.column = static_cast<size_t>(column);
      file.names.push_back(p.table + "." + p.column);
      file.integer.push_back(source.table->table().columns[source.column].type.is_integer());
    } else if (!p.picks.empty()) {
      source.literal = literal_value(p);
      file.names.push_back(fmt::format("${}", i + 1));
      file.integer.push_back(false);
    } else {
      throw UsageError("usage.bad-option",
                       fmt::format("{}: ${} has no column and no literal", stream, i + 1));
    }
    resolved.push_back(std::move(source));
  }
  // Rows come from their own stream, apart from every column's: the draw is as
  // reproducible as the data and independent of it.
  const uint64_t key = stream_key(seed, "pgshape params", stream);
  std::string scratch;
  file.rows.reserve(static_cast<size_t>(count));
  for (int64_t n = 0; n < count; ++n) {
    std::vector<std::string> row;
    row.reserve(resolved.size());
    for (size_t i = 0; i < resolved.size(); ++i) {
      const Source& source = resolved[i];
      if (!source.table) {
        row.push_back(source.literal);
        continue;
      }
      CounterEngine engine(key ^ mix64(i + 1), static_cast<uint64_t>(n));
      const auto rows = static_cast<uint64_t>(source.table->rows());
      std::string value;
      // A parameter compared with `=` never matches NULL: draw again (bounded).
      for (int attempt = 0; attempt < 64; ++attempt) {
        const Datum d = source.table->column(source.column).value(engine.below(rows), scratch);
        if (d.kind == Datum::Kind::kNull) continue;
        value = value_text(d, source.table->table().columns[source.column].type);
        break;
      }
      row.push_back(std::move(value));
    }
    file.rows.push_back(std::move(row));
  }
  return file;
}

ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed, const Query& query,
                      int64_t count) {
  return draw_params(profile, scale, seed, query.name, query.params, count);
}

namespace {

void append_csv_field(std::string& out, const std::string& value) {
  if (!value.empty() && value.find_first_of(",\"\n\r") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_line(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    append_csv_field(out, fields[i]);
  }
  out += '\n';
}

}  // namespace

std::string to_csv(const ParamFile& file) {
  std::string out;
  append_csv_line(out, file.names);
  for (const auto& row : file.rows) append_csv_line(out, row);
  return out;
}

std::string to_json(const ParamFile& file) {
  constexpr int64_t kLargestExactDouble = int64_t{1} << 53;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : file.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      int64_t number = 0;
      auto [end, ec] = std::from_chars(row[i].data(), row[i].data() + row[i].size(), number);
      if (file.integer[i] && ec == std::errc() && end == row[i].data() + row[i].size() &&
          number <= kLargestExactDouble && number >= -kLargestExactDouble)
        object[file.names[i]] = number;
      else
        object[file.names[i]] = row[i];
    }
    rows.push_back(std::move(object));
  }
  return rows.dump() + "\n";
}

}  // namespace pgshape
