// Indexes, and the ways a profile names a column after something else: index
// columns with an ordering, and "table.column" in ref, from and params. Any
// PostgreSQL identifier must be writable in each of them — spaces, colons, '#',
// dots, quotes — because `stats` writes production's names into profiles.
#include <algorithm>
#include <sstream>

#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

const std::vector<std::string>& orderings() {
  static const std::vector<std::string> kOrders = {"",
                                                   "ASC",
                                                   "DESC",
                                                   "ASC NULLS FIRST",
                                                   "ASC NULLS LAST",
                                                   "DESC NULLS FIRST",
                                                   "DESC NULLS LAST",
                                                   "NULLS FIRST",
                                                   "NULLS LAST"};
  return kOrders;
}

// "desc  nulls last" -> "DESC NULLS LAST": upper case, single spaces.
std::string normal_order(std::string_view text) {
  std::istringstream words{std::string(text)};
  std::string word, out;
  while (words >> word) {
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

bool is_ordering(const std::string& order) {
  return std::find(orderings().begin(), orderings().end(), order) != orderings().end();
}

// Reads a double-quoted identifier at the start of `text` ("" is a quote inside).
// Returns the name and how many bytes it took, or nullopt when it is not closed.
std::optional<std::pair<std::string, size_t>> quoted_prefix(std::string_view text) {
  if (text.empty() || text[0] != '"') return std::nullopt;
  std::string name;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '"') {
      name += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '"') {
      name += '"';
      ++i;
    } else {
      return std::make_pair(name, i + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> split_qualified(
    std::string_view text,
    const std::function<bool(const std::string&, const std::string&)>& known) {
  auto whole_quoted = [](std::string_view part) -> std::optional<std::string> {
    auto q = quoted_prefix(part);
    if (q && q->second == part.size()) return q->first;
    return std::nullopt;
  };
  auto second_part = [&](std::string_view rest) {
    return whole_quoted(rest).value_or(std::string(rest));
  };
  if (auto first = quoted_prefix(text);
      first && first->second < text.size() && text[first->second] == '.') {
    std::string column = second_part(text.substr(first->second + 1));
    if (first->first.empty() || column.empty()) return std::nullopt;
    return std::make_pair(first->first, column);
  }
  std::vector<size_t> dots;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '.') dots.push_back(i);
  // A quoted second part ends the text: its dot is the one before its quote.
  for (size_t dot : dots)
    if (auto column = whole_quoted(text.substr(dot + 1)); column && dot > 0 && !column->empty())
      return std::make_pair(std::string(text.substr(0, dot)), *column);
  std::optional<std::pair<std::string, std::string>> first_split;
  for (size_t dot : dots) {
    if (dot == 0 || dot + 1 == text.size()) continue;
    std::pair<std::string, std::string> split{std::string(text.substr(0, dot)),
                                              std::string(text.substr(dot + 1))};
    if (known && known(split.first, split.second)) return split;
    if (!first_split) first_split = std::move(split);
  }
  return first_split;
}

IndexSpec ProfileParser::parse_index(const YAML::Node& node, const Table& table) {
  IndexSpec index{.pos = Reader::pos(node)};
  if (!r_.check_map(node, "an index", section_keys("index"))) return index;
  if (auto n = node["name"]) {
    index.name = r_.string(n, "index name").value_or("");
    r_.identifier(n, index.name, "index");
  }
  if (auto n = node["where"]) index.where = r_.string(n, "where").value_or("");
  if (auto n = node["unique"]) index.unique = r_.boolean(n, "unique").value_or(false);
  if (auto n = node["constraint"]) {
    index.constraint = r_.boolean(n, "constraint").value_or(false);
    if (index.constraint && (!index.unique || node["where"] || node["definition"]))
      r_.error("profile.conflict", n,
               "constraint: true is a UNIQUE constraint: it needs unique: true and neither "
               "'where' nor 'definition'",
               "drop constraint: to build a plain unique index");
  }
  if (auto n = node["definition"]) {
    index.definition = r_.string(n, "definition").value_or("");
    if (index.name.empty())
      r_.error("profile.missing-key", node, "an index with a 'definition' needs a 'name'");
    if (node["where"])
      r_.error("profile.conflict", node["where"],
               "an index with a 'definition' keeps its predicate there, not in 'where'");
    // columns: is optional here: the table's columns the definition uses.
    if (!node["columns"]) return index;
  }
  const YAML::Node columns = node["columns"];
  if (!columns) {
    r_.error("profile.missing-key", node, "an index needs 'columns'");
    return index;
  }
  if (columns.IsSequence()) {
    for (const auto& item : columns) parse_index_column(item, table, index);
  } else if (columns.IsScalar()) {
    parse_index_column(columns, table, index);
  } else {
    r_.error("profile.bad-type", columns, "index columns must be a list");
  }
  if (index.columns.empty() && columns.IsSequence())
    r_.error("profile.missing-key", columns, "an index needs at least one column");
  return index;
}

// One entry of an index's columns: `name`, `name DESC NULLS LAST`, `"any name" DESC`
// or {column: any name, order: DESC}. A name with spaces needs no quotes when it is
// one of the table's columns, alone or before an ordering.
void ProfileParser::parse_index_column(const YAML::Node& item, const Table& table,
                                       IndexSpec& index) {
  std::string name, order;
  bool known_form = false;
  if (item.IsMap()) {
    if (!r_.check_map(item, "an index column", section_keys("index_column"))) return;
    if (auto n = item["column"])
      name = r_.string(n, "index column").value_or("");
    else
      r_.error("profile.missing-key", item, "an index column map needs 'column'");
    if (auto n = item["order"]) order = normal_order(r_.string(n, "order").value_or(""));
    known_form = true;
  } else {
    auto text = r_.string(item, "index column");
    if (!text) return;
    if (auto quoted = quoted_prefix(*text)) {
      name = quoted->first;
      order = normal_order(std::string_view(*text).substr(quoted->second));
      known_form = true;
    } else if (table.find_column(*text)) {
      name = *text;
      known_form = true;
    } else {
      // The longest prefix that is a column, followed by an ordering.
      for (size_t cut = text->size(); cut-- > 1 && !known_form;) {
        if (!std::isspace(static_cast<unsigned char>((*text)[cut]))) continue;
        const std::string prefix = text->substr(0, cut);
        const std::string rest = normal_order(std::string_view(*text).substr(cut));
        if (table.find_column(prefix) && is_ordering(rest)) name = prefix, order = rest;
        known_form = !name.empty();
      }
      if (!known_form) {
        std::istringstream words(*text);
        words >> name;
        order = normal_order(std::string_view(*text).substr(std::min(text->size(), name.size())));
      }
    }
  }
  if (!is_ordering(order))
    r_.error("profile.bad-value", item,
             fmt::format("index column '{}': '{}' is not an ordering", name, order),
             "write 'column', 'column DESC' or 'column DESC NULLS LAST'; quote a name with "
             "spaces: '\"my col\" DESC', or write {column: my col, order: DESC}");
  if (!table.find_column(name) && !has_ddl_)
    r_.error("profile.unknown-column", item,
             fmt::format("index on '{}' names unknown column '{}'", table.name, name));
  index.columns.push_back(name);
  index.orders.push_back(is_ordering(order) ? order : "");
}

}  // namespace pgshape::profile
