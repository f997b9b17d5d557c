// Internal to src/load: filling a target schema pgshape did not create without
// replacing it (adopt.cpp says why and how pgshape's objects there are marked).
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <vector>

namespace pgshape::load {

// The objects in `schema` that are not pgshape's: the first `listed` of them as
// pg_describe_object names them, and how many there are. Empty: the schema can
// be adopted (it is empty, or holds only what earlier loads moved in).
struct ForeignObjects {
  std::vector<std::string> listed;
  int64_t total = 0;
};
ForeignObjects foreign_objects(pqxx::transaction_base& tx, const std::string& schema,
                               size_t listed);

// Moves every top-level object of `from` into `to` (ALTER ... SET SCHEMA: parts
// such as indexes and owned sequences follow their owner). A non-empty `note`
// marks each moved object as pgshape's (COMMENT "pgshape: <note>", or the mark
// before a comment it already had).
void move_objects(pqxx::transaction_base& tx, const std::string& from, const std::string& to,
                  const std::string& note);

// Drops every top-level object of `schema` (CASCADE, for their parts and each
// other); the caller has made sure they are all pgshape's and that nothing
// outside depends on them.
void drop_objects(pqxx::transaction_base& tx, const std::string& schema);

}  // namespace pgshape::load
