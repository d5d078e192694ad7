// SPDX-License-Identifier: Apache-2.0
// Golden tests: the plans of the shipped configs and TrafficToll's example,
// printed as text and JSON, compared with files under tests/unit/golden.
// Regenerate after an intended change with NETTOLL_UPDATE_GOLDEN=1 and review
// the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config_loader.h"
#include "core/plan_format.h"
#include "core/planner.h"

namespace nettoll {
namespace {

const std::string kSourceDir = NETTOLL_SOURCE_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = kSourceDir + "/tests/unit/golden/" + name;
  if (std::getenv("NETTOLL_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    return;
  }
  EXPECT_EQ(read_file(path), actual)
      << "golden file " << path << " differs; if the change is intended, rerun with NETTOLL_UPDATE_GOLDEN=1";
}

Plan plan_of(const std::string& config_path, const KernelCapabilities& kernel) {
  const LoadedConfig loaded = load_config_file(kSourceDir + "/" + config_path);
  EXPECT_TRUE(loaded.ok()) << config_path;
  if (!loaded.ok()) return {};
  return make_plan(*loaded.config, ManagedInterface{"eth0", 1500}, kernel);
}

struct GoldenCase {
  const char* config;
  const char* golden;
  bool fq_codel;
};

class PlanGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(PlanGolden, MatchesTextAndJson) {
  const GoldenCase& c = GetParam();
  const Plan plan = plan_of(c.config, KernelCapabilities{c.fq_codel, 250});
  expect_golden(std::string(c.golden) + ".txt", format_plan(plan));
  expect_golden(std::string(c.golden) + ".json", plan_to_json(plan).dump(2) + "\n");
}

INSTANTIATE_TEST_SUITE_P(Configs, PlanGolden,
                         ::testing::Values(GoldenCase{"packaging/default.yaml", "default", false},
                                           GoldenCase{"packaging/example.yaml", "example_bfifo", false},
                                           GoldenCase{"packaging/example.yaml", "example_fq_codel", true},
                                           GoldenCase{"tests/unit/data/traffictoll_example.yaml",
                                                      "traffictoll_example", false},
                                           GoldenCase{"tests/unit/data/tt_bandwidth_manager_default.yaml",
                                                      "tt_bandwidth_manager_default", false}),
                         [](const ::testing::TestParamInfo<GoldenCase>& param_info) {
                           return std::string(param_info.param.golden);
                         });

}  // namespace
}  // namespace nettoll
