// `pgshape params PROFILE --query NAME`: parameter values for a load test, drawn
// with the data's skew, as CSV or JSON; written to a file whole or returned.
#include <fmt/format.h>

#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {
namespace {

const Query& require_query(const Profile& profile, const std::string& name) {
  if (const Query* query = profile.find_query(name)) return *query;
  std::vector<std::string_view> names;
  for (const auto& q : profile.queries) names.push_back(q.name);
  throw UsageError(
      "usage.unknown-query",
      fmt::format("--query: profile {} has no query '{}'", profile.name, name),
      names.empty() ? "it declares no queries" : app::did_you_mean(name, names, "queries"));
}

ParamsOutcome params(const ParamsCommand& c) {
  const Profile profile = load_profile_with_overlay(c.profile, c.overlay);
  const Query& query = require_query(profile, c.query);
  const Scale& scale = app::require_scale(profile, c.scale);
  ParamsOutcome outcome;
  outcome.params = draw_params(profile, scale, c.seed.value_or(profile.seed), query, c.count);
  outcome.text = c.json ? to_json(outcome.params) : to_csv(outcome.params);
  if (!c.out.empty()) app::write_file_atomically(c.out, outcome.text);
  return outcome;
}

}  // namespace

ParamsOutcome run_params(const ParamsCommand& command) {
  return app::translating_errors([&] { return params(command); });
}

}  // namespace pgshape
