// The values a statement's $n placeholders are explained with, each side's from
// its own statistics (as each side's planner would see them): a --queries
// statement's hot and rare variants, placed by the columns it compares with $n,
// and a profile query's declared picks (mcv, rank:k, rare, median, random:k).
#include "pgshape/fidelity.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <set>

#include "app/fidelity_internal.hpp"

namespace pgshape {
namespace fidelity_internal {
namespace {

// An ASCII identifier's end from `p`, or npos when none starts there.
size_t word_end(std::string_view s, size_t p) {
  const auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  if (p >= s.size() || !alpha(s[p]) || static_cast<unsigned char>(s[p]) >= 0x80) return s.npos;
  while (++p < s.size() && (alpha(s[p]) || std::isdigit(static_cast<unsigned char>(s[p]))) &&
         static_cast<unsigned char>(s[p]) < 0x80) {
  }
  return p;
}

// `column = $n` from `c`, blanks around '=' allowed, up to 6 digits of n.
std::optional<ComparedParam> compared_at(std::string_view s, size_t c, std::string_view qualifier) {
  const auto blank = [&](size_t& k) {
    while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k]))) ++k;
  };
  const size_t e = word_end(s, c);
  if (e == s.npos) return std::nullopt;
  size_t k = e;
  blank(k);
  if (k >= s.size() || s[k] != '=') return std::nullopt;
  ++k;
  blank(k);
  if (k >= s.size() || s[k] != '$') return std::nullopt;
  const size_t digits = ++k;
  int n = 0;
  while (k < s.size() && k - digits < 6 && std::isdigit(static_cast<unsigned char>(s[k])))
    n = n * 10 + (s[k++] - '0');
  if (k == digits) return std::nullopt;
  return ComparedParam{std::string(qualifier), std::string(s.substr(c, e - c)), n, k};
}

}  // namespace

std::vector<ComparedParam> compared_params(std::string_view sql) {
  std::vector<ComparedParam> out;
  for (size_t p = 0; p < sql.size();) {
    std::optional<ComparedParam> found;
    if (const size_t q = word_end(sql, p); q != sql.npos && q < sql.size() && sql[q] == '.')
      found = compared_at(sql, q + 1, sql.substr(p, q - p));
    if (!found) found = compared_at(sql, p, "");
    if (found) {
      p = found->end;
      out.push_back(std::move(*found));
    } else {
      ++p;
    }
  }
  return out;
}

namespace {

// The column each $1..$n of `q` is compared with (`col = $1`, `t.col = $1`), in a
// table of `snap` the statement names; nullopt unless every $n is placed, each in
// exactly one table. Words, not a parse: a statement it cannot place keeps only its
// generic plan.
std::optional<std::vector<const ColumnStats*>> bound_columns(const FidelityQuery& q,
                                                             const StatsSnapshot& snap) {
  std::set<std::string> words;
  for (size_t i = 0; i < q.sql.size();) {
    if (!ident_start(q.sql[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < q.sql.size() && ident_char(q.sql[j])) ++j;
    words.insert(lower(q.sql.substr(i, j - i)));
    i = j;
  }
  std::vector<const TableStats*> named;
  for (const auto& t : snap.tables)
    if (words.count(lower(t.name))) named.push_back(&t);
  std::vector<const ColumnStats*> out(static_cast<size_t>(q.params), nullptr);
  for (const ComparedParam& compared : compared_params(q.sql)) {
    const std::string qualifier = lower(compared.qualifier), column = lower(compared.column);
    const int n = compared.n;
    if (n < 1 || n > q.params || out[static_cast<size_t>(n - 1)]) continue;
    std::vector<const ColumnStats*> found;
    for (const TableStats* t : named) {
      if (!qualifier.empty() && lower(t->name) == qualifier) found.clear();
      for (const auto& c : t->columns)
        if (lower(c.name) == column && c.has_stats) found.push_back(&c);
      if (!qualifier.empty() && lower(t->name) == qualifier) break;
    }
    if (found.size() == 1) out[static_cast<size_t>(n - 1)] = found.front();
  }
  for (const ColumnStats* c : out)
    if (!c) return std::nullopt;
  return out;
}

// A hot value (the first MCV) or a rare one (the middle histogram bound: a value
// the planner estimates at the rare end; else the last MCV) from a side's statistics.
std::optional<std::string> pick(const ColumnStats& c, bool hot) {
  if (hot) {
    if (!c.mcv.empty()) return c.mcv.front();
  } else {
    if (!c.histogram.empty()) return c.histogram[c.histogram.size() / 2];
    if (c.mcv.size() > 1) return c.mcv.back();
  }
  return std::nullopt;
}

}  // namespace

void query_file_variants(const std::vector<FidelityQuery>& file_queries,
                         const StatsSnapshot& source, const StatsSnapshot& mirror,
                         std::vector<FidelityQuery>& queries,
                         std::vector<std::vector<std::string>>& source_values,
                         std::vector<std::vector<std::string>>& mirror_values) {
  for (const auto& q : file_queries) {
    queries.push_back(q);
    source_values.emplace_back();
    mirror_values.emplace_back();
    if (q.params == 0) continue;
    const auto on_source = bound_columns(q, source), on_mirror = bound_columns(q, mirror);
    if (!on_source || !on_mirror) continue;
    for (const bool hot : {true, false}) {
      std::vector<std::string> sv, mv;
      for (size_t i = 0; i < on_source->size(); ++i) {
        auto a = pick(*(*on_source)[i], hot), b = pick(*(*on_mirror)[i], hot);
        if (!a || !b) break;
        sv.push_back(*a);
        mv.push_back(*b);
      }
      if (sv.size() != on_source->size()) continue;
      FidelityQuery variant = q;
      variant.name += hot ? " [hot]" : " [rare]";
      queries.push_back(std::move(variant));
      source_values.push_back(std::move(sv));
      mirror_values.push_back(std::move(mv));
    }
  }
}

void profile_variants(const Query& q, const std::string& file, const StatsSnapshot& source,
                      const StatsSnapshot& mirror, uint64_t seed,
                      std::vector<FidelityQuery>& queries,
                      std::vector<std::vector<std::string>>& source_values,
                      std::vector<std::vector<std::string>>& mirror_values,
                      std::vector<std::string>& skipped) {
  struct Variant {
    std::string label;
    std::vector<std::string> s, m;
    std::string missing;  // why it cannot be explained; empty: it can
  };
  auto column_of = [](const StatsSnapshot& snap, const QueryParam& p) -> const ColumnStats* {
    const TableStats* t = snap.find_table(p.table);
    return t ? t->find_column(p.column) : nullptr;
  };
  std::vector<Variant> variants{{}};
  for (const auto& p : q.params) {
    const ColumnStats* sc = column_of(source, p);
    const ColumnStats* mc = column_of(mirror, p);
    std::vector<Variant> next;
    for (const auto& pick : p.picks) {
      auto on_source = pick_from_stats(sc, pick, seed);
      auto on_mirror = pick_from_stats(mc, pick, seed);
      const std::string where = p.table + "." + p.column;
      std::string missing =
          on_source.empty()   ? "no such value in the source's statistics of " + where
          : on_mirror.empty() ? "no such value in the mirror's statistics of " + where
                              : "";
      // random:k may find fewer values on one side: pair as many as both have.
      const size_t n = missing.empty() ? std::min(on_source.size(), on_mirror.size()) : 1;
      for (size_t i = 0; i < n; ++i) {
        const std::string label = missing.empty() ? on_source[i].first : pick.label();
        for (const auto& v : variants) {
          Variant nv = v;
          nv.label += (nv.label.empty() ? "" : ",") + label;
          if (missing.empty()) {
            nv.s.push_back(on_source[i].second);
            nv.m.push_back(on_mirror[i].second);
          } else if (nv.missing.empty()) {
            nv.missing = missing;
          }
          next.push_back(std::move(nv));
        }
      }
    }
    variants = std::move(next);
  }
  for (auto& v : variants) {
    const std::string name = q.name + " [" + (q.params.empty() ? "none" : v.label) + "]";
    if (!v.missing.empty()) {
      skipped.push_back(name + ": " + v.missing);
      continue;
    }
    FidelityQuery fq{
        .name = name,
        .at = fmt::format("{}:{}:{}", file.empty() ? "profile" : file, q.pos.line, q.pos.column),
        .sql = q.sql,
        .line = q.pos.line,
        .column = q.pos.column,
        .params = static_cast<int>(q.params.size())};
    queries.push_back(std::move(fq));
    // A query without params is explained as it is (values empty: no PREPARE).
    source_values.push_back(std::move(v.s));
    mirror_values.push_back(std::move(v.m));
  }
}

}  // namespace fidelity_internal

std::vector<std::pair<std::string, std::string>> pick_from_stats(const ColumnStats* c,
                                                                 const Pick& pick, uint64_t seed) {
  const std::string label = pick.label();
  if (pick.kind == Pick::Kind::kLiteral) return {{label, pick.literal}};
  if (!c || !c->has_stats) return {};
  const auto& mcv = c->mcv;
  const auto& hist = c->histogram;
  auto one = [&](const std::string& v) {
    return std::vector<std::pair<std::string, std::string>>{{label, v}};
  };
  switch (pick.kind) {
    case Pick::Kind::kMostCommon:
      if (!mcv.empty()) return one(mcv.front());
      if (!hist.empty()) return one(hist.front());
      return {};
    case Pick::Kind::kRank:
      // pg_stats lists MCVs most common first.
      if (pick.k >= 1 && static_cast<size_t>(pick.k) <= mcv.size())
        return one(mcv[static_cast<size_t>(pick.k - 1)]);
      return {};
    case Pick::Kind::kRare:
      if (!hist.empty()) return one(hist[hist.size() / 2]);
      if (mcv.size() > 1) return one(mcv.back());
      return {};
    case Pick::Kind::kMedian:
      if (!hist.empty()) return one(hist[hist.size() / 2]);
      if (!mcv.empty()) return one(mcv.front());
      return {};
    case Pick::Kind::kRandom: {
      // FNV-1a of "seed:value": the same draw on every run and platform.
      auto key = [&](const std::string& v) {
        uint64_t h = 1469598103934665603ull;
        for (const char ch : std::to_string(seed) + ":" + v) {
          h ^= static_cast<unsigned char>(ch);
          h *= 1099511628211ull;
        }
        return h;
      };
      std::set<std::string> distinct(mcv.begin(), mcv.end());
      distinct.insert(hist.begin(), hist.end());
      std::vector<std::pair<uint64_t, std::string>> keyed;
      for (const auto& v : distinct) keyed.emplace_back(key(v), v);
      std::sort(keyed.begin(), keyed.end());
      std::vector<std::pair<std::string, std::string>> out;
      for (size_t i = 0; i < keyed.size() && i < static_cast<size_t>(pick.k); ++i)
        out.emplace_back(label + "#" + std::to_string(i + 1), keyed[i].second);
      return out;
    }
    case Pick::Kind::kLiteral:
      break;
  }
  return {};
}

}  // namespace pgshape
