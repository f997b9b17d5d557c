// The gen module's entry: wiring a profile's column generators together at one
// scale point (each column's own generator, then copies, foreign keys, pair
// keys linked, and each table's fill order).
#include <fmt/format.h>
#include <algorithm>

#include "gen/columns.hpp"
#include "gen/dependent.hpp"
#include "gen/ordered.hpp"
#include "gen/pair_key.hpp"
#include "gen/quota.hpp"
#include "pgshape/column_order.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {
namespace {

size_t index_in(const Table& table, const std::string& column, const std::string& what) {
  const int index = table.column_index(column);
  if (index < 0)
    throw InternalError(
        fmt::format("unvalidated profile: {} names no column {}.{}", what, table.name, column));
  return static_cast<size_t>(index);
}

// Columns in an order where every column comes after the columns it reads;
// `order` gets them, `needs[c]` the inputs column c needs, transitively, in order.
void dependency_order(const TableGenerator& table, std::vector<size_t>& order,
                      std::vector<std::vector<size_t>>& needs) {
  const size_t n = table.column_count();
  std::vector<int> state(n, 0);  // 0 new, 1 on the path, 2 placed
  needs.assign(n, {});
  auto visit = [&](auto& self, size_t c) -> void {
    if (state[c] == 2) return;
    if (state[c] == 1)
      throw InternalError(fmt::format("columns of {} read each other in a cycle (at {})",
                                      table.table().name, table.table().columns[c].name));
    state[c] = 1;
    for (size_t input : table.column(c).inputs()) {
      if (input >= n) throw InternalError("a column generator reads a column that does not exist");
      self(self, input);
      for (size_t k : needs[input])
        if (std::find(needs[c].begin(), needs[c].end(), k) == needs[c].end()) needs[c].push_back(k);
      if (std::find(needs[c].begin(), needs[c].end(), input) == needs[c].end())
        needs[c].push_back(input);
    }
    state[c] = 2;
    order.push_back(c);
  };
  order.clear();
  for (size_t c = 0; c < n; ++c) visit(visit, c);
}

// A GENERATED ALWAYS AS (...) STORED column: the server computes its values, so
// the encoders leave it out; a batch still has its (all NULL) vector so column
// indices stay the profile's.
class ServerComputed : public ColumnGenerator {
 public:
  Datum::Kind kind() const override { return Datum::Kind::kText; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kText, rows.size());
    std::fill(out.nulls(), out.nulls() + rows.size(), uint8_t{1});
  }
};

}  // namespace

// The generators a table's columns get before linking: foreign keys and copies
// are kept by raw pointer too, since the NULL wrapper hides their type.
struct DatasetGenerator::Unlinked {
  std::vector<gen::ForeignKeyGenerator*> foreign_keys;  // per column, null if none
  std::vector<gen::CopyGenerator*> copies;
  std::vector<std::shared_ptr<const gen::PairSource>> pairs;  // composite keys built by pairing
};

DatasetGenerator::DatasetGenerator(const Profile& profile, const Scale& scale, uint64_t seed)
    : seed_(seed) {
  tables_.reserve(profile.tables.size());  // generators point into tables_: no reallocation
  for (const auto& table : profile.tables) tables_.emplace_back(table, profile.rows(table, scale));
  // Four passes: every column's own generator; copies linked to their table's
  // foreign key; foreign keys linked to their parents' keys (in any table,
  // nullable cycles included); then, once every column can be filled, each
  // table's fill order and the empirical foreign keys' probes of parent keys.
  std::vector<Unlinked> unlinked(tables_.size());
  for (size_t t = 0; t < tables_.size(); ++t)
    unlinked[t] = make_columns(profile, scale, tables_[t]);
  for (size_t t = 0; t < tables_.size(); ++t) link(tables_[t], unlinked[t]);
  for (auto& tg : tables_) dependency_order(tg, tg.order_, tg.needs_);
  for (auto& links : unlinked)
    for (gen::ForeignKeyGenerator* fk : links.foreign_keys)
      if (fk) fk->learn_parent_keys();
  // Pair keys sample their columns once everything they read is linked.
  for (auto& links : unlinked)
    for (const auto& pair : links.pairs) pair->prepare();
}

DatasetGenerator::Unlinked DatasetGenerator::make_columns(const Profile& profile,
                                                          const Scale& scale, TableGenerator& tg) {
  Unlinked unlinked;
  std::vector<std::unique_ptr<ColumnGenerator>> made_columns;
  std::vector<double> null_fractions;
  for (const auto& column : tg.table().columns) {
    const gen::ColumnContext context{seed_, &tg.table(), &column, tg.rows()};
    std::unique_ptr<ColumnGenerator> generator;
    gen::ForeignKeyGenerator* fk = nullptr;
    gen::CopyGenerator* copy = nullptr;
    if (!column.generated.empty()) {
      generator = std::make_unique<ServerComputed>();
    } else if (column.ref) {
      const Table* parent = profile.find_table(column.ref->table);
      if (!parent) throw InternalError("unvalidated foreign key " + column.name);
      auto made = std::make_unique<gen::ForeignKeyGenerator>(context, profile.rows(*parent, scale));
      fk = made.get();
      generator = std::move(made);
    } else if (column.dist.kind == DistKind::kChildNumber) {
      // Reads the numbers its fanout foreign key leaves beside the key's values.
      const int fk = tg.table().column_index(column.dist.of);
      if (fk < 0 || tg.table().columns[static_cast<size_t>(fk)].dist.kind != DistKind::kFanout)
        throw InternalError("unvalidated child_number " + column.name);
      generator =
          std::make_unique<gen::ChildNumberGenerator>(static_cast<size_t>(fk), column.dist.start);
    } else if (column.dist.kind == DistKind::kCopy) {
      auto made = std::make_unique<gen::CopyGenerator>();
      copy = made.get();
      generator = std::move(made);
    } else {
      generator = gen::make_value_generator(context);
      if (column.given)  // drawn per row from the case its parent column's value picks
        generator = gen::make_dependent_generator(
            context, std::move(generator), index_in(tg.table(), column.given->column, "given"));
    }
    // An empirical or weighted column places its own NULLs (a segment of its value
    // order, a quota), so its values keep their exact counts among the non-NULL rows.
    const bool own_nulls =
        !column.ref && (column.dist.kind == DistKind::kEmpirical || gen::places_own_nulls(column));
    made_columns.push_back(std::move(generator));
    null_fractions.push_back(own_nulls ? 0 : column.null_fraction);
    unlinked.foreign_keys.push_back(fk);
    unlinked.copies.push_back(copy);
  }
  // A composite key built by pairing takes its two columns' generators as the
  // makers of its value domains; the key's rows draw NULLs on top (a sampled
  // domain holds no NULL).
  for (const PairKey& key : pair_keys(tg.table())) {
    const Table& t = tg.table();
    const gen::ColumnContext family{seed_, &t, &t.columns[key.family], tg.rows()};
    std::vector<const Column*> members;
    std::vector<std::unique_ptr<ColumnGenerator>> member_values;
    for (size_t m : key.members) {
      members.push_back(&t.columns[m]);
      member_values.push_back(std::move(made_columns[m]));
    }
    auto source = std::make_shared<gen::PairSource>(
        family, std::move(members), std::move(made_columns[key.family]), std::move(member_values));
    made_columns[key.family] = std::make_unique<gen::PairFamilyGenerator>(source);
    null_fractions[key.family] = t.columns[key.family].null_fraction;
    for (size_t i = 0; i < key.members.size(); ++i) {
      const size_t m = key.members[i];
      made_columns[m] = std::make_unique<gen::PairMemberGenerator>(source, key.family, i);
      null_fractions[m] = t.columns[m].null_fraction;
    }
    unlinked.pairs.push_back(std::move(source));
  }
  // A CHECK that orders two columns (ends_at > starts_at) is kept by drawing
  // one of them given the other (gen/ordered.hpp); validation refused the
  // orders neither column of which can be drawn so.
  std::vector<std::vector<OrderPlan>> orders(made_columns.size());
  for (const CheckSpec& check : tg.table().checks)
    if (auto order = parse_column_order(check.expr))
      if (auto plan = plan_column_order(tg.table(), *order))
        orders[plan->dependent].push_back(*plan);
  for (size_t i = 0; i < made_columns.size(); ++i) {
    const gen::ColumnContext context{seed_, &tg.table(), &tg.table().columns[i], tg.rows()};
    made_columns[i] =
        gen::make_ordered_generator(context, std::move(made_columns[i]), orders[i], tg);
    tg.columns_.push_back(gen::with_nulls(std::move(made_columns[i]), context, null_fractions[i]));
    tg.columns_.back()->table_ = &tg;
    tg.columns_.back()->index_ = tg.columns_.size() - 1;
  }
  return unlinked;
}

void DatasetGenerator::link(const TableGenerator& tg, const Unlinked& unlinked) const {
  const Table& table = tg.table();
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    if (gen::CopyGenerator* copy = unlinked.copies[i]) {
      const size_t fk = index_in(table, column.dist.copy_from_fk, "a copy column");
      if (!table.columns[fk].ref)
        throw InternalError(fmt::format("copy column {}.{} reads {}, which is no foreign key",
                                        table.name, column.name, table.columns[fk].name));
      const TableGenerator& parent = this->table(table.columns[fk].ref->table);
      copy->link(fk, &parent,
                 index_in(parent.table(), column.dist.copy_parent_column, "a copy column"));
    }
    if (gen::ForeignKeyGenerator* fk = unlinked.foreign_keys[i]) {
      const TableGenerator& parent = this->table(column.ref->table);
      fk->link(&parent, index_in(parent.table(), column.ref->column, "a foreign key"));
    }
  }
}

}  // namespace pgshape
