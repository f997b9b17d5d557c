// Internal to src/stats: what a stats-made profile says of the source's objects
// besides tables — extensions, functions, views, generated columns and the
// actions of foreign keys — written by profile_writer.cpp through these calls.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pgshape/stats.hpp"

namespace pgshape::stats {

using LeaveOut = std::function<void(const std::string& object, const std::string& reason)>;

class ObjectWriter {
 public:
  explicit ObjectWriter(const StatsSnapshot& snap);

  // Of `needs` ("extension x", "function f"), those the mirror will not have:
  // functions the profile does not rebuild (every extension is written).
  std::vector<std::string> unmet(const std::vector<std::string>& needs) const;
  // True for an entry of other_objects these objects account for (reproduced,
  // or left out with their own reason): not left out a second time.
  bool accounts_for(const std::string& object) const;
  // The column's table columns as the profile has them, for views: call once per table.
  void kept_columns(const std::string& table, const std::vector<std::string>& columns);

  // extensions:, functions: and views:, at the profile's top level; what cannot
  // be rebuilt goes to leave_out, named.
  void write(YAML::Emitter& out, const LeaveOut& leave_out);

  // A generated column whose type the profile spells `type` ("" when it has no
  // spelling): {type, generated, nullable}; false (and named) when the mirror
  // could not compute it.
  bool write_generated(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                       const std::string& type, const LeaveOut& leave_out) const;

  // on_update, on_delete, deferrable, initially_deferred from
  // ForeignKeyStats::actions ("ON DELETE CASCADE DEFERRABLE ..."), into the open map.
  static void write_fk_actions(YAML::Emitter& out, const std::string& actions);

 private:
  const StatsSnapshot& snap_;
  std::set<std::string> functions_;                       // names of the functions rebuilt
  std::set<std::string> extensions_;                      // the extensions something needs
  std::map<std::string, std::set<std::string>> columns_;  // table -> its profile columns
};

}  // namespace pgshape::stats
