// Whole-profile checks, part three: names and PostgreSQL's limits. Tables and
// indexes — the ones a profile names and the ones pgshape names for primary keys,
// unique columns and unnamed indexes — share one relation namespace per schema;
// constraint names are unique per table; names are cut to 63 bytes, so two long
// names can become one. Also 1600 columns a table, 32 columns a key, and rows
// that cannot fit a page. Each would fail mid-load; here it is refused up front.
#include <fmt/format.h>
#include <map>

#include "pgshape/profile.hpp"
#include "profile/checker.hpp"

namespace pgshape {

namespace {

size_t clip_chars(std::string_view name, size_t bytes) {
  if (bytes >= name.size()) return name.size();
  while (bytes > 0 && (static_cast<unsigned char>(name[bytes]) & 0xC0) == 0x80) --bytes;
  return bytes;
}

// PostgreSQL's makeObjectName: "<name1>_<name2>_<label>", taking bytes off the
// longer of the two names until it fits 63 bytes, so the label always survives
// (a 63-byte table's key is "<58 bytes>_pkey", not the table's own name).
std::string object_name(std::string_view name1, std::string_view name2, std::string_view label) {
  const size_t overhead = (name2.empty() ? 0 : 1) + label.size() + 1;
  size_t chars1 = name1.size(), chars2 = name2.size();
  while (chars1 + chars2 > kMaxNameBytes - overhead) (chars1 > chars2 ? chars1 : chars2)--;
  // Appended piece by piece: GCC 12 misreads string + string here (-Wrestrict).
  std::string out(name1.substr(0, clip_chars(name1, chars1)));
  if (!name2.empty()) {
    out.push_back('_');
    out.append(name2.substr(0, clip_chars(name2, chars2)));
  }
  out.push_back('_');
  out.append(label);
  return out;
}

// ChooseIndexNameAddition: the column names joined by "_", at most 61 bytes.
std::string column_part(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += "_";
    out += c;
    if (out.size() >= kMaxNameBytes - 1) break;
  }
  return out.substr(0, clip_chars(out, kMaxNameBytes - 2));
}

}  // namespace

std::string primary_key_name(const Table& table) {
  return object_name(table.name, "", "pkey");
}
std::string unique_key_name(const Table& table, const Column& column) {
  return object_name(table.name, column.name, "key");
}
std::string foreign_key_name(const Table& table, const Column& column) {
  if (const ForeignKeySpec* fk = table.composite_foreign_key(column.name))
    return object_name(table.name, column_part(fk->columns), "fkey");
  return object_name(table.name, column.name, "fkey");
}
std::string index_name(const Table& table, const IndexSpec& index) {
  return index.name.empty() ? object_name(table.name, column_part(index.columns), "idx")
                            : index.name;
}

std::string statistics_name(const Table& table, const ExtStatistics& stats) {
  return stats.name.empty() ? object_name(table.name, column_part(stats.columns), "stat")
                            : stats.name;
}

bool is_system_schema(std::string_view schema) {
  // PostgreSQL refuses to create any pg_* schema, and pg_temp / pg_toast_temp
  // name a session's own; information_schema is the SQL standard's views. "pg"
  // itself is reserved here: its staging schema would be pg_staging.
  return schema.starts_with("pg_") || schema == "pg" || schema == "information_schema";
}

std::string target_schema_problem(std::string_view schema) {
  if (schema.empty()) return "the schema name is empty";
  if (schema.find('\0') != std::string_view::npos) return "the schema name holds a NUL byte";
  if (is_system_schema(schema))
    return fmt::format("'{}' is a system schema; pgshape never loads into one", schema);
  if (schema.size() > kMaxNameBytes - 9)
    return fmt::format("schema name '{}' is {} bytes; pgshape needs it to be at most 54", schema,
                       schema.size());
  return {};
}

}  // namespace pgshape

namespace pgshape::profile {
namespace {

// PostgreSQL's limits (src/include/pg_config_manual.h, access/htup_details.h).
constexpr size_t kMaxColumns = 1600;      // MaxHeapAttributeNumber
constexpr size_t kMaxIndexKeys = 32;      // INDEX_MAX_KEYS
constexpr size_t kMaxTupleBytes = 8160;   // MaxHeapTupleSize for 8 kB pages
constexpr size_t kTupleHeaderBytes = 24;  // MAXALIGN(SizeofHeapTupleHeader)

// Bytes and alignment of a type stored inline at fixed width; 0 for varlena.
std::pair<size_t, size_t> fixed_width(const ColumnType& type) {
  switch (type.kind) {
    case PgType::kSmallint:
      return {2, 2};
    case PgType::kInteger:
    case PgType::kReal:
    case PgType::kDate:
      return {4, 4};
    case PgType::kBigint:
    case PgType::kDouble:
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      return {8, 8};
    case PgType::kBoolean:
      return {1, 1};
    case PgType::kUuid:
      return {16, 1};
    default:
      return {0, 1};
  }
}

class NameChecker {
 public:
  explicit NameChecker(const CheckContext& ctx) : c_(ctx), r_(ctx.r) {}

  void run() {
    // A table written twice is a duplicate key, reported by the parser.
    for (const auto& table : c_.p.tables)
      relations_.try_emplace(table.name, Owner{"table '" + table.name + "'", table.pos});
    for (const auto& table : c_.p.tables) {
      if (c_.r.poisoned(table.name)) continue;
      check_limits(table);
      check_relations(table);
      check_constraints(table);
    }
  }

 private:
  struct Owner {
    std::string what;
    SourcePos pos;
  };
  const CheckContext& c_;
  Reader& r_;
  std::map<std::string, Owner> relations_;  // the schema's relation namespace

  // Takes `name` in the schema's relation namespace for `what`; reports a collision.
  void claim(const std::string& name, const std::string& what, SourcePos at, bool cut = false) {
    auto [it, fresh] = relations_.try_emplace(name, Owner{what, at});
    if (fresh) return;
    r_.error("profile.duplicate-name", at,
             fmt::format("{} would be named '{}'{}, the name of {} (line {}): tables and "
                         "indexes share one namespace per schema",
                         what, name, cut ? " (cut to 63 bytes)" : "", it->second.what,
                         it->second.pos.line),
             "rename one (an index takes name:; a key's index is named after its table and "
             "column)");
  }

  void claim_partitions(const std::string& owner, const std::vector<PartitionSpec>& partitions) {
    for (const auto& leaf : partitions) {
      if (!leaf.name.empty())
        claim(leaf.name, fmt::format("partition '{}' of '{}'", leaf.name, owner), leaf.pos);
      claim_partitions(leaf.name, leaf.partitions);
    }
  }

  void check_relations(const Table& table) {
    auto long_name = [](const std::string& name) { return name.size() == kMaxNameBytes; };
    // A partition is a table of the schema like any other, at every level.
    claim_partitions(table.name, table.partitions);
    if (!table.primary_key.empty()) {
      const std::string name = primary_key_name(table);
      claim(name, "the " + CheckContext::primary_key(table), table.pos, long_name(name));
    }
    for (const auto& c : table.columns) {
      if (!c.unique || (table.primary_key.size() == 1 && table.primary_key[0] == c.name)) continue;
      const std::string name = unique_key_name(table, c);
      claim(name, fmt::format("the unique key of '{}.{}'", table.name, c.name), c.pos,
            long_name(name));
    }
    for (const auto& index : table.indexes) {
      const std::string name = index_name(table, index);
      claim(name, fmt::format("an index on '{}'", table.name), index.pos,
            index.name.empty() && long_name(name));
    }
  }

  // Constraint names are unique per table: the primary key, unique keys, foreign keys.
  void check_constraints(const Table& table) {
    std::map<std::string, std::string> names;
    auto take = [&](const std::string& name, const std::string& what, SourcePos at) {
      auto [it, fresh] = names.try_emplace(name, what);
      if (!fresh)
        r_.error("profile.duplicate-name", at,
                 fmt::format("{} would be named '{}' (cut to 63 bytes), the name of {}: "
                             "constraint names are unique per table",
                             what, name, it->second),
                 "shorten the table's or the columns' names");
    };
    if (!table.primary_key.empty())
      take(primary_key_name(table), "the " + CheckContext::primary_key(table), table.pos);
    for (const auto& c : table.columns) {
      if (c.unique && !(table.primary_key.size() == 1 && table.primary_key[0] == c.name))
        names.try_emplace(unique_key_name(table, c), "a unique key");  // reported as relations
      if (c.ref)
        take(foreign_key_name(table, c),
             table.composite_foreign_key(c.name) ? "the " + CheckContext::foreign_key(table, c)
                                                 : fmt::format("the foreign key of '{}'", c.name),
             c.ref->pos);
    }
  }

  void check_limits(const Table& table) {
    if (table.columns.size() > kMaxColumns)
      r_.error("profile.pg-limit", table.pos,
               fmt::format("table '{}' has {} columns; PostgreSQL allows at most {}", table.name,
                           table.columns.size(), kMaxColumns),
               "split the table");
    if (table.primary_key.size() > kMaxIndexKeys)
      r_.error("profile.pg-limit", table.pos,
               fmt::format("the primary key of '{}' has {} columns; an index takes at most {}",
                           table.name, table.primary_key.size(), kMaxIndexKeys));
    for (const auto& index : table.indexes)
      if (index.columns.size() > kMaxIndexKeys)
        r_.error("profile.pg-limit", index.pos,
                 fmt::format("an index on '{}' has {} columns; PostgreSQL allows at most {}",
                             table.name, index.columns.size(), kMaxIndexKeys));
    // The smallest row: fixed-width columns that are never NULL, aligned as
    // PostgreSQL aligns them. (Text can be moved out of line; these cannot.)
    bool nulls = false;
    for (const auto& c : table.columns) nulls = nulls || c.null_fraction > 0;
    // 23 header bytes and, with NULLs, one bit a column; then MAXALIGN.
    size_t bytes = nulls ? (23 + (table.columns.size() + 7) / 8 + 7) / 8 * 8 : kTupleHeaderBytes;
    for (const auto& c : table.columns) {
      const auto [width, align] = fixed_width(c.type);
      if (width == 0 || c.null_fraction > 0) continue;
      bytes = (bytes + align - 1) / align * align + width;
    }
    if (bytes > kMaxTupleBytes)
      r_.error("profile.pg-limit", table.pos,
               fmt::format("a row of '{}' takes at least {} bytes; PostgreSQL stores rows of at "
                           "most {} bytes",
                           table.name, bytes, kMaxTupleBytes),
               "split the table, or make some columns text or nullable");
  }
};

}  // namespace

void check_names(const CheckContext& ctx) {
  NameChecker(ctx).run();
}

}  // namespace pgshape::profile
