// One value of a query on a real server, for integration tests that compare a
// mirror's counts or shares with production's.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <string>

namespace pgshape::testing {

// The single value `sql` returns (in its own transaction), as an integer.
inline int64_t scalar(pqxx::connection& c, const std::string& sql) {
  pqxx::work tx(c);
  return tx.exec1(sql)[0].as<int64_t>();
}

// The same, as a double.
inline double real(pqxx::connection& c, const std::string& sql) {
  pqxx::work tx(c);
  return tx.exec1(sql)[0].as<double>();
}

}  // namespace pgshape::testing
