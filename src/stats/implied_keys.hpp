// Internal to stats: a tenant-scoped schema's foreign keys that another key
// implies. A table holding (tenant_id) -> tenants (id) and also
// (tenant_id, user_id) -> users (tenant_id, id), where users.tenant_id is itself a
// NOT NULL key to tenants (id), satisfies the first whenever the second holds. The
// profile then generates the pair through the multi-column key and keeps the
// one-column key as a constraint only (a one-column `foreign_keys:` entry),
// instead of dropping the multi-column key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>

#include "pgshape/stats.hpp"

namespace pgshape::stats {

// Whether the profile generates a table's foreign key (so the mirror's rows hold it).
using KeptKey = std::function<bool(const TableStats&, const ForeignKeyStats&)>;

// The one-column foreign key of `t` on `column` that `composite` (a multi-column
// key of `t` holding `column`) implies through a parent's key that is `kept`, or
// nullptr.
const ForeignKeyStats* implied_by_composite(const StatsSnapshot& snap, const TableStats& t,
                                            const ForeignKeyStats& composite,
                                            const std::string& column, const KeptKey& kept);

// Writes each one-column key of `t` that `implied` accepts as a `foreign_keys:`
// entry, opening that list first unless `open` says it is (and setting it).
void write_implied_keys(YAML::Emitter& out, const TableStats& t, bool& open,
                        const std::function<bool(const ForeignKeyStats&)>& implied);

}  // namespace pgshape::stats
