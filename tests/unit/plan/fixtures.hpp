// Loading the stored EXPLAIN fixtures (tests/fixtures/plans, real PostgreSQL 15
// output; see the README there) into PlanCaptures for the plan unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "pgshape/plan.hpp"

#ifndef PGSHAPE_SOURCE_DIR
#define PGSHAPE_SOURCE_DIR "."
#endif

namespace pgshape::testing {

inline std::string plan_fixture_text(const std::string& name) {
  std::string path = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/plans/" + name + ".json";
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("missing fixture " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// A capture of `fixture` as if taken at `scale` with `products` rows, for `experiment`.
inline PlanCapture plan_fixture(const std::string& fixture, const std::string& scale,
                                int64_t products, const std::string& experiment = "baseline",
                                const std::string& pick = "most_common") {
  PlanCapture c;
  c.query = "listing";
  c.pick = pick;
  c.params = {"1"};
  c.scale = scale;
  c.experiment = experiment;
  c.runs = 1;
  c.explain_json = plan_fixture_text(fixture);
  summarize_plan(c);
  // Timing from the plan itself, as a one-run capture would have it.
  auto pos = c.explain_json.find("\"Execution Time\": ");
  double exec = pos == std::string::npos ? 0 : std::stod(c.explain_json.substr(pos + 18));
  c.execution = {exec, exec, exec};
  c.table_rows = {{"products", products}};
  return c;
}

}  // namespace pgshape::testing
