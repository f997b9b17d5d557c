#include "pgshape/params.hpp"

#include <fmt/format.h>

#include "gen/encode.hpp"
#include "pgshape/error.hpp"
#include "pgshape/generator.hpp"
#include "pgshape/random.hpp"

namespace pgshape {

ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed, const Query& query,
                      int64_t count) {
  const DatasetGenerator generator(profile, scale, seed);
  ParamFile file;
  struct Source {
    const TableGenerator* table = nullptr;
    size_t column = 0;
    std::string literal;
  };
  std::vector<Source> sources;
  for (size_t i = 0; i < query.params.size(); ++i) {
    const QueryParam& p = query.params[i];
    Source source;
    if (!p.table.empty()) {
      source.table = &generator.table(p.table);
      source.column = static_cast<size_t>(source.table->table().column_index(p.column));
      file.names.push_back(p.table + "." + p.column);
    } else if (!p.picks.empty()) {
      source.literal =
          p.picks.front().rfind("literal:", 0) == 0 ? p.picks.front().substr(8) : p.picks.front();
      file.names.push_back(fmt::format("${}", i + 1));
    } else {
      throw UsageError(
          fmt::format("query '{}': ${} has no column and no literal", query.name, i + 1));
    }
    sources.push_back(std::move(source));
  }
  // Rows come from their own stream, apart from every column's: the draw is as
  // reproducible as the data and independent of it.
  const uint64_t key = stream_key(seed, "pgshape params", query.name);
  std::string scratch;
  file.rows.reserve(static_cast<size_t>(count));
  for (int64_t n = 0; n < count; ++n) {
    std::vector<std::string> row;
    for (size_t i = 0; i < sources.size(); ++i) {
      const Source& source = sources[i];
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
        gen::append_plain(value, d, source.table->table().columns[source.column].type);
        break;
      }
      row.push_back(std::move(value));
    }
    file.rows.push_back(std::move(row));
  }
  return file;
}

}  // namespace pgshape
