// SPDX-License-Identifier: Apache-2.0
// Inputs the fuzzers of tests/fuzz found to crash the core, kept as fast
// regression tests (the kernel decoders' findings are replayed from the
// seed corpora, named regress-*, by every fuzzing run).
#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "core/duration.h"

namespace nettoll {
namespace {

// A file holding a scalar used to throw YAML::BadSubscript out of the
// TrafficToll-or-native check and abort `nettoll check`.
TEST(FuzzFindings, ScalarConfigIsAnErrorNotACrash) {
  for (const char* text : {"hello\n", "42", "- a\n- b\n"}) {
    const LoadedConfig loaded = load_config_text(text, "scalar.yaml");
    EXPECT_FALSE(loaded.ok()) << text;
    ASSERT_FALSE(loaded.diagnostics.empty()) << text;
    EXPECT_EQ(loaded.diagnostics.front().file, "scalar.yaml");
  }
}

// A duration past int64 microseconds overflowed llround into a negative
// value that passed every check after it.
TEST(FuzzFindings, HugeDurationIsRejected) {
  for (const char* text : {"222222222222222663331ms", "1e300s", "1e20h"}) {
    auto duration = parse_duration(text);
    ASSERT_FALSE(duration) << text;
    EXPECT_NE(duration.error().find("too large"), std::string::npos) << duration.error();
  }
  ASSERT_TRUE(parse_duration("100000h"));
}

}  // namespace
}  // namespace nettoll
