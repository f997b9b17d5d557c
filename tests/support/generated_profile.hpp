// Generation without a server, for unit tests: a profile parsed from YAML text
// and the dataset generator over it. The generators point into `profile`, so
// the two live and move together (the generator is held by pointer).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::testing {

struct GeneratedProfile {
  GeneratedProfile(const std::string& yaml, uint64_t seed)
      : profile(parse_profile(yaml, "t.yaml")),
        data(std::make_unique<DatasetGenerator>(profile, profile.scales.front(), seed)) {}
  const TableGenerator& table(std::string_view name) const { return data->table(name); }
  const ColumnGenerator& column(std::string_view table_name, std::string_view column) const {
    const TableGenerator& t = table(table_name);
    return t.column(static_cast<size_t>(t.table().column_index(column)));
  }

  Profile profile;
  std::unique_ptr<DatasetGenerator> data;
};

}  // namespace pgshape::testing
