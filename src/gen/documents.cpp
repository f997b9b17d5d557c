// dist: document: jsonb objects built from a key set (drawn by its weight) and,
// for each key of the set, a value drawn from that key's own values. Keys'
// values are drawn independently of each other: what production's documents
// pair together beyond which keys they hold is not kept.
#include <boost/random/discrete_distribution.hpp>
#include <nlohmann/json.hpp>

#include <cstring>

#include "gen/array_gen.hpp"
#include "gen/encode.hpp"

namespace pgshape::gen {
namespace {

class DocumentGenerator : public ColumnGenerator {
 public:
  explicit DocumentGenerator(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        sets_(c.column->dist.key_set_weights.begin(), c.column->dist.key_set_weights.end()) {
    const Distribution& d = c.column->dist;
    for (const auto& key : d.keys) {
      Key k{.prefix = nlohmann::json(key.name).dump() + ": ",
            .values = key.values,
            .pick = {key.weights.begin(), key.weights.end()}};
      plain_ = plain_ && plain_text(k.prefix);
      for (const auto& v : k.values) {
        plain_ = plain_ && plain_text(v);
        k.longest = std::max(k.longest, v.size());
      }
      keys_.push_back(std::move(k));
    }
    for (const auto& set : d.key_sets) {
      std::vector<size_t> members;
      size_t bytes = 2;
      for (const auto& name : set)
        for (size_t i = 0; i < d.keys.size(); ++i)
          if (d.keys[i].name == name) {
            members.push_back(i);
            bytes += keys_[i].prefix.size() + keys_[i].longest + 2;
          }
      set_keys_.push_back(std::move(members));
      set_bytes_.push_back(bytes);
    }
  }
  Datum::Kind kind() const override { return Datum::Kind::kText; }

  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kText, rows.size());
    out.set_plain(plain_);
    if (set_keys_.empty()) {
      std::fill_n(out.nulls(), rows.size(), uint8_t{1});
      return;
    }
    rows.for_each([&](size_t i, uint64_t row) {
      CounterEngine engine(key_, row);
      const size_t set = sets_(engine);
      char* const begin = out.text_room(set_bytes_[set]);
      char* p = begin;
      *p++ = '{';
      bool first = true;
      for (size_t k : set_keys_[set]) {
        const Key& key = keys_[k];
        if (!first) *p++ = ',', *p++ = ' ';
        first = false;
        std::memcpy(p, key.prefix.data(), key.prefix.size());
        p += key.prefix.size();
        const std::string& v = key.values[key.pick(engine)];
        std::memcpy(p, v.data(), v.size());
        p += v.size();
      }
      *p++ = '}';
      out.set_text(i, begin, p);
    });
  }

 private:
  struct Key {
    std::string prefix;  // "name": as JSON
    std::vector<std::string> values;
    boost::random::discrete_distribution<size_t, double> pick;
    size_t longest = 0;
  };
  uint64_t key_;
  boost::random::discrete_distribution<size_t, double> sets_;
  std::vector<Key> keys_;
  std::vector<std::vector<size_t>> set_keys_;
  std::vector<size_t> set_bytes_;  // the most a document of the set can take
  bool plain_ = true;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_document_generator(const ColumnContext& context) {
  return std::make_unique<DocumentGenerator>(context);
}

}  // namespace pgshape::gen
