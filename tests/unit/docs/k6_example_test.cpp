// examples/k6 reads what `pgshape params` writes: the keys it looks up must be
// the names the shop's queries draw from, or the example breaks silently.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pgshape/profile.hpp"
#include "pgshape/workload.hpp"

namespace pgshape {
namespace {

TEST(K6Example, ReadsTheKeysPgshapeParamsWritesForTheQueriesItNames) {
  const std::string root = PGSHAPE_SOURCE_DIR;
  std::ifstream in(root + "/examples/k6/campaign_burst.js");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string script = text.str();
  const Profile profile = load_profile(root + "/profiles/shop.yaml");
  for (const char* name : {"listing", "product_detail"}) {
    const Query* query = profile.find_query(name);
    ASSERT_NE(query, nullptr) << name;
    EXPECT_NE(script.find(std::string("--query ") + name), std::string::npos) << name;
    const ParamFile file =
        draw_params(profile, *profile.find_scale("production"), profile.seed, *query, 1);
    ASSERT_EQ(file.names.size(), 1u);
    EXPECT_NE(script.find("['" + file.names[0] + "']"), std::string::npos) << file.names[0];
  }
}

}  // namespace
}  // namespace pgshape
