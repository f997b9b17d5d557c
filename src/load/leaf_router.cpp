// Routing generated rows to partition leaves (leaf_router.hpp): the key and the
// bounds read back from the server, then per row a binary search among RANGE
// bounds, a lookup among LIST values or the HASH leaf of the row's hash (by its
// remainder), level by level.
#include "load/leaf_router.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <unordered_map>

#include "load/partition_hash.hpp"
#include "load/partition_key.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {
namespace {

// A bound literal as the generator's value, `t` being its Conv (partition_key.hpp)
// as a number.
constexpr const char* kConvertSql =
    "SELECT CASE u.t "
    "WHEN 1 THEN u.v::bigint "
    "WHEN 2 THEN (u.v::date - DATE '2000-01-01')::bigint "
    "WHEN 3 THEN ((extract(epoch FROM u.v::timestamp) - 946684800) * 1000000)::bigint "
    "WHEN 4 THEN ((extract(epoch FROM u.v::timestamptz) - 946684800) * 1000000)::bigint "
    "WHEN 5 THEN u.v::boolean::int::bigint END::text "
    "FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS u(v, t, o) ORDER BY u.o";

struct Value {
  enum Kind : uint8_t { kValue, kNull, kMin, kMax } kind = kValue;
  int64_t i = 0;
  std::string text;  // the literal, unquoted; a text key's value
};

}  // namespace

// A partitioned relation and its children, with their bounds.
struct PartitionNode {
  std::string name;
  Key key;
  struct Child {
    std::string name;
    bool is_default = false;
    std::vector<Value> from, to, in;
    uint64_t modulus = 0, remainder = 0;  // HASH
    int leaf = -1;                        // a leaf's index
    std::unique_ptr<PartitionNode> node;  // a sub-partitioned child
  };
  std::vector<Child> children;
  int default_child = -1;
  int null_child = -1;                       // LIST: the child whose list holds NULL
  std::vector<size_t> by_from;               // RANGE: the other children, by lower bound
  std::unordered_map<int64_t, size_t> ints;  // LIST values to children
  std::unordered_map<std::string, size_t> texts;
  std::vector<int> by_remainder;  // HASH: the child per hash % the greatest modulus
};

class PartitionTree {
 public:
  PartitionNode root;
  std::vector<size_t> columns;  // every key column, each once
};

namespace {

// The rows of a batch's key columns, for one row.
struct RowKeys {
  const std::vector<ColumnVector>& vectors;
  size_t row;
  bool null(size_t slot) const { return vectors[slot].nulls()[row] != 0; }
  int64_t integer(size_t slot) const { return vectors[slot].ints()[row]; }
  std::string_view text(size_t slot) const { return vectors[slot].datum(row).text; }
  Uuid uuid(size_t slot) const { return vectors[slot].uuids()[row]; }
};

// A key column's value under its type's extended hash function (partition_hash.hpp).
uint64_t column_hash(Conv conv, const RowKeys& row, size_t slot) {
  if (conv == Conv::kText) return hash_bytes_extended(row.text(slot), kHashPartitionSeed);
  if (conv == Conv::kUuid) {
    const Uuid u = row.uuid(slot);
    char bytes[16];
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<char>(u.hi >> (56 - 8 * i));
      bytes[8 + i] = static_cast<char>(u.lo >> (56 - 8 * i));
    }
    return hash_bytes_extended(std::string_view(bytes, sizeof bytes), kHashPartitionSeed);
  }
  // int2, int4, date and bool hash as their value widened to int8 would.
  return hash_int8_extended(row.integer(slot), kHashPartitionSeed);
}

// Row against a RANGE bound: <0, 0 (equal), >0; MINVALUE and MAXVALUE end it.
int compare(const Key& key, const RowKeys& row, const std::vector<Value>& bound) {
  for (size_t k = 0; k < bound.size() && k < key.slots.size(); ++k) {
    if (bound[k].kind == Value::kMin) return 1;
    if (bound[k].kind == Value::kMax) return -1;
    const int64_t v = row.integer(key.slots[k]);
    if (v != bound[k].i) return v < bound[k].i ? -1 : 1;
  }
  return 0;
}

int rank(const Value& v) {
  return v.kind == Value::kMin ? 0 : v.kind == Value::kMax ? 2 : 1;
}

bool bound_less(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
    if (rank(a[k]) != rank(b[k])) return rank(a[k]) < rank(b[k]);
    if (rank(a[k]) != 1) return false;
    if (a[k].i != b[k].i) return a[k].i < b[k].i;
  }
  return false;
}

// The leaf `row` goes to under `node`, or -1 when none takes it.
int route(const PartitionNode& node, const RowKeys& row) {
  int child = node.default_child;
  const Key& key = node.key;
  if (key.hash) {
    uint64_t hash = 0;
    for (size_t k = 0; k < key.slots.size(); ++k)
      if (!row.null(key.slots[k]))
        hash = hash_combine64(hash, column_hash(key.convs[k], row, key.slots[k]));
    if (!node.by_remainder.empty()) child = node.by_remainder[hash % node.by_remainder.size()];
  } else if (key.range) {
    bool any_null = false;
    for (size_t slot : key.slots) any_null = any_null || row.null(slot);
    if (!any_null) {
      auto it = std::partition_point(node.by_from.begin(), node.by_from.end(), [&](size_t c) {
        return compare(key, row, node.children[c].from) >= 0;
      });
      if (it != node.by_from.begin()) {
        const size_t c = *(it - 1);
        if (compare(key, row, node.children[c].to) < 0) child = static_cast<int>(c);
      }
    }
  } else if (row.null(key.slots[0])) {
    if (node.null_child >= 0) child = node.null_child;
  } else if (key.convs[0] == Conv::kText) {
    auto it = node.texts.find(std::string(row.text(key.slots[0])));
    if (it != node.texts.end()) child = static_cast<int>(it->second);
  } else {
    auto it = node.ints.find(row.integer(key.slots[0]));
    if (it != node.ints.end()) child = static_cast<int>(it->second);
  }
  if (child < 0) return -1;
  const auto& c = node.children[static_cast<size_t>(child)];
  return c.node ? route(*c.node, row) : c.leaf;
}

// The values of a bound's parenthesised list at `at` (advanced past it).
std::vector<Value> literal_list(std::string_view s, size_t& at) {
  std::vector<Value> out;
  at = s.find('(', at);
  if (at == std::string_view::npos) throw InternalError("partition bound without a list");
  ++at;
  while (at < s.size() && s[at] != ')') {
    while (at < s.size() && (s[at] == ' ' || s[at] == ',')) ++at;
    Value v;
    if (at < s.size() && s[at] == '\'') {
      for (++at; at < s.size(); ++at) {
        if (s[at] == '\'' && at + 1 < s.size() && s[at + 1] == '\'') {
          v.text += '\'';
          ++at;
        } else if (s[at] == '\'') {
          ++at;
          break;
        } else {
          v.text += s[at];
        }
      }
    } else {
      while (at < s.size() && s[at] != ',' && s[at] != ')' && s[at] != ' ') v.text += s[at++];
      if (v.text == "MINVALUE") v.kind = Value::kMin;
      if (v.text == "MAXVALUE") v.kind = Value::kMax;
      if (v.text == "NULL") v.kind = Value::kNull;
    }
    while (at < s.size() && s[at] == ' ') ++at;
    out.push_back(std::move(v));
  }
  ++at;
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

// The nodes of `specs`' level under `node`, leaves numbered depth first.
void build(const TableGenerator& table, PartitionNode& node, std::string_view by,
           const std::vector<PartitionSpec>& specs, int& leaves, std::vector<std::string>* names,
           std::string& problem) {
  if (const std::string why = parse_key(table, by, node.key); !why.empty()) {
    problem = fmt::format("partitioning of {}: {}", node.name, why);
    return;
  }
  for (const auto& spec : specs) {
    PartitionNode::Child child{.name = spec.name};
    if (!spec.partition_by.empty()) {
      child.node = std::make_unique<PartitionNode>();
      child.node->name = spec.name;
      build(table, *child.node, spec.partition_by, spec.partitions, leaves, names, problem);
      if (!problem.empty()) return;
    } else {
      child.leaf = leaves++;
      if (names) names->push_back(spec.name);
    }
    node.children.push_back(std::move(child));
  }
}

void collect(PartitionNode& node, std::vector<PartitionNode::Child*>& out,
             std::vector<PartitionNode*>& owners) {
  for (auto& c : node.children) {
    out.push_back(&c);
    owners.push_back(&node);
    if (c.node) collect(*c.node, out, owners);
  }
}

// Each child's bound from the server, its literals as the generator's values,
// and the lookups of every node.
void read_bounds(RawConnection& connection, std::string_view schema, PartitionTree& tree) {
  std::vector<PartitionNode::Child*> children;
  std::vector<PartitionNode*> owners;
  collect(tree.root, children, owners);
  std::vector<std::string> names;
  for (const auto* c : children) names.push_back(c->name);
  std::map<std::string, std::string> bounds;
  for (const auto& row : connection.query(
           "SELECT c.relname::text, pg_catalog.pg_get_expr(c.relpartbound, c.oid) "
           "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND c.relispartition AND c.relname = ANY ($2::text[])",
           {std::string(schema), array_literal(names)}))
    bounds[row[0].value_or("")] = row[1].value_or("");
  // Literals to convert: (child, which list, position).
  std::vector<Value*> pending;
  std::vector<std::string> texts, kinds;
  for (size_t i = 0; i < children.size(); ++i) {
    PartitionNode::Child& c = *children[i];
    const Key& key = owners[i]->key;
    auto it = bounds.find(c.name);
    if (it == bounds.end())
      throw DatabaseError("db.query-failed",
                          fmt::format("partition {}.{} does not exist", schema, c.name));
    const std::string_view bound = it->second;
    size_t at = 0;
    if (bound == "DEFAULT") {
      c.is_default = true;
    } else if (key.hash) {
      // FOR VALUES WITH (modulus 4, remainder 1)
      auto number = [&](std::string_view word) {
        const size_t from = bound.find(word);
        if (from == std::string_view::npos)
          throw InternalError(fmt::format("hash partition bound without {}", word));
        return std::stoull(std::string(bound.substr(from + word.size())));
      };
      c.modulus = number("modulus ");
      c.remainder = number("remainder ");
    } else if (key.range) {
      at = bound.find("FROM");
      c.from = literal_list(bound, at);
      at = bound.find("TO", at);
      c.to = literal_list(bound, at);
    } else {
      c.in = literal_list(bound, at);
    }
    for (auto* list : {&c.from, &c.to, &c.in})
      for (size_t k = 0; k < list->size(); ++k) {
        Value& v = (*list)[k];
        const Conv conv = key.convs[std::min(k, key.convs.size() - 1)];
        if (v.kind != Value::kValue || conv == Conv::kText) continue;
        // The generator's values never reach a date's or timestamp's infinities.
        if (v.text == "infinity" || v.text == "-infinity") {
          v.kind = v.text[0] == '-' ? Value::kMin : Value::kMax;
          continue;
        }
        pending.push_back(&v);
        texts.push_back(v.text);
        kinds.push_back(std::to_string(static_cast<int>(conv)));
      }
  }
  if (!pending.empty()) {
    const auto rows = connection.query(kConvertSql, {array_literal(texts), array_literal(kinds)});
    if (rows.size() != pending.size())
      throw InternalError("partition bound literals came back in a different number");
    for (size_t i = 0; i < rows.size(); ++i) pending[i]->i = std::stoll(rows[i][0].value_or("0"));
  }
  for (size_t i = 0; i < children.size(); ++i) {
    PartitionNode& node = *owners[i];
    const size_t index = static_cast<size_t>(children[i] - node.children.data());
    const PartitionNode::Child& c = *children[i];
    if (c.is_default) {
      node.default_child = static_cast<int>(index);
    } else if (node.key.hash) {
      // Every modulus divides the greatest (PostgreSQL checks it).
      uint64_t greatest = c.modulus;
      for (const auto& other : node.children) greatest = std::max(greatest, other.modulus);
      node.by_remainder.resize(greatest, -1);
      for (uint64_t r = c.remainder; r < greatest; r += c.modulus)
        node.by_remainder[r] = static_cast<int>(index);
    } else if (node.key.range) {
      node.by_from.push_back(index);
    } else {
      for (const Value& v : c.in) {
        if (v.kind == Value::kNull)
          node.null_child = static_cast<int>(index);
        else if (node.key.convs[0] == Conv::kText)
          node.texts.emplace(v.text, index);
        else
          node.ints.emplace(v.i, index);
      }
    }
  }
  for (size_t i = 0; i < children.size(); ++i) {
    PartitionNode& node = *owners[i];
    std::sort(node.by_from.begin(), node.by_from.end(), [&](size_t a, size_t b) {
      return bound_less(node.children[a].from, node.children[b].from);
    });
  }
}

void assign_slots(PartitionNode& node, std::vector<size_t>& columns) {
  node.key.slots.clear();
  for (size_t column : node.key.columns) {
    auto it = std::find(columns.begin(), columns.end(), column);
    if (it == columns.end()) it = columns.insert(columns.end(), column);
    node.key.slots.push_back(static_cast<size_t>(it - columns.begin()));
  }
  for (auto& c : node.children)
    if (c.node) assign_slots(*c.node, columns);
}

bool hashes_text(const PartitionNode& node) {
  if (node.key.hash &&
      std::find(node.key.convs.begin(), node.key.convs.end(), Conv::kText) != node.key.convs.end())
    return true;
  return std::any_of(node.children.begin(), node.children.end(),
                     [](const auto& c) { return c.node && hashes_text(*c.node); });
}

}  // namespace

std::string leaf_routing_problem(const TableGenerator& table, std::vector<std::string>* leaves) {
  const Table& t = table.table();
  if (t.partition_by.empty()) return "it is not partitioned";
  PartitionNode root;
  root.name = t.name;
  int count = 0;
  std::string problem;
  build(table, root, t.partition_by, t.partitions, count, leaves, problem);
  if (!problem.empty() && leaves) leaves->clear();
  return problem;
}

LeafRouter::LeafRouter(RawConnection& connection, std::string_view schema,
                       const TableGenerator& table)
    : table_(table), tree_(std::make_unique<PartitionTree>()) {
  const Table& t = table.table();
  tree_->root.name = t.name;
  int count = 0;
  std::string problem;
  build(table, tree_->root, t.partition_by, t.partitions, count, nullptr, problem);
  if (!problem.empty()) throw InternalError("routing a table that cannot be routed: " + problem);
  assign_slots(tree_->root, tree_->columns);
  read_bounds(connection, schema, *tree_);
  // The server hashes a text key's bytes in its encoding, the generator's are UTF-8.
  if (hashes_text(tree_->root)) {
    const auto rows = connection.query("SELECT current_setting('server_encoding')");
    const std::string encoding = rows.empty() ? "" : rows[0][0].value_or("");
    if (encoding != "UTF8" && encoding != "SQL_ASCII")
      throw DatabaseError("db.query-failed",
                          fmt::format("table {}: pgshape cannot route rows to HASH partitions of "
                                      "a text key in a {} database",
                                      t.name, encoding),
                          "load into a database created with ENCODING 'UTF8'");
  }
}

LeafRouter::~LeafRouter() = default;

void LeafRouter::leaves_of(uint64_t first, size_t n, uint8_t* out) const {
  std::vector<ColumnVector> vectors(tree_->columns.size());
  const Selection selection = Selection::range(first, n);
  for (size_t k = 0; k < vectors.size(); ++k)
    table_.fill_column(tree_->columns[k], selection, vectors[k]);
  for (size_t i = 0; i < n; ++i) {
    const int to = route(tree_->root, RowKeys{vectors, i});
    if (to < 0) {
      std::vector<uint64_t> none;
      select(first + i, 1, 0, true, none);  // throws
    }
    out[i] = static_cast<uint8_t>(to);
  }
}

void LeafRouter::select(uint64_t first, size_t n, size_t leaf, bool check,
                        std::vector<uint64_t>& rows) const {
  std::vector<ColumnVector> vectors(tree_->columns.size());
  const Selection selection = Selection::range(first, n);
  for (size_t k = 0; k < vectors.size(); ++k)
    table_.fill_column(tree_->columns[k], selection, vectors[k]);
  for (size_t i = 0; i < n; ++i) {
    const int to = route(tree_->root, RowKeys{vectors, i});
    if (to == static_cast<int>(leaf)) rows.push_back(first + i);
    if (to < 0 && check)
      throw DatabaseError(
          "db.query-failed",
          fmt::format("no partition of relation {} found for row {} (no leaf's bound holds its "
                      "key and there is no DEFAULT partition)",
                      table_.table().name, first + i),
          "add a DEFAULT partition, or a leaf whose bound holds the generated values", "23514");
  }
}

}  // namespace pgshape::load
