// The steps of a load, each a function over connections and the profile.
// Internal to src/load; load_dataset (loader.cpp) runs them in order.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "pgshape/generator.hpp"
#include "pgshape/loader.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {

// Throws UsageError unless `schema` is a usable name with room for our suffixes.
void check_schema_name(const std::string& schema);

// The staging schema of one load into `target`, and the guard around it: holds
// the per-target advisory lock, refuses targets pgshape does not own (unless
// force), clears debris of an earlier killed load, and swaps atomically.
class Staging {
 public:
  Staging(pqxx::connection& control, std::string target, const LoadOptions& options);
  ~Staging();
  const std::string& name() const { return staging_; }
  // One transaction: the old target goes (or becomes <target>_previous when
  // keep_previous), staging becomes the target. `note` is recorded in its comment.
  void swap_in(const std::string& note, bool keep_previous = false);
  // Drops the staging schema after a failure (best effort: never throws).
  void discard() noexcept;

 private:
  pqxx::connection& control_;
  std::string target_;
  std::string staging_;
  std::string previous_;
  bool swapped_ = false;
};

// Creates the staging tables (the profile's DDL, or the user's DDL file) and
// returns the profile with column types as they exist in the database.
Profile create_tables(pqxx::connection& control, const Profile& profile, const std::string& schema);

// How copy_tables writes: which rows, in which encoding, into which kind of table.
struct CopySpec {
  RowFormat format = RowFormat::kCopyBinary;
  int shard_index = 0;  // copy only slice shard_index of shard_count of every table
  int shard_count = 1;
  // Append into tables that already hold rows (a shard): no TRUNCATE, so no FREEZE.
  bool append = false;
};

// COPYs every table's generated rows, `jobs` connections at once.
std::vector<TableLoadStats> copy_tables(const std::string& dsn, const Profile& profile,
                                        const DatasetGenerator& generator,
                                        const std::string& schema, int jobs,
                                        const std::function<void(const LoadProgress&)>& progress,
                                        const CopySpec& spec = {});

// Primary keys, unique keys, indexes (in parallel), then foreign keys.
void build_keys_and_indexes(const std::string& dsn, pqxx::connection& control,
                            const Profile& profile, const std::string& schema, int jobs);

void analyze_tables(const std::string& dsn, const Profile& profile, const std::string& schema,
                    int jobs);

// Expected vs achieved shares of skewed columns, from pg_stats after ANALYZE.
std::vector<ShapeStat> measure_shape(pqxx::connection& control, const Profile& profile,
                                     const DatasetGenerator& generator, const std::string& schema);

}  // namespace pgshape::load
