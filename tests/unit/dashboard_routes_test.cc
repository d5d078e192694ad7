// SPDX-License-Identifier: Apache-2.0
// The dashboard's files on the router: the embedded page and assets, and
// Chart.js read from a directory (a temporary one here), with names that
// cannot leave it.
#include "daemon/dashboard_routes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "web/web_assets.h"

namespace nettoll {
namespace {

class DashboardRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("nettoll-chartjs-" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
    std::ofstream(directory_ / "chart.min.js") << "/* Chart.js */";
    std::ofstream(directory_.parent_path() / "outside.js") << "secret";
  }
  void TearDown() override {
    std::filesystem::remove_all(directory_);
    std::filesystem::remove(directory_.parent_path() / "outside.js");
  }

  ApiResponse get(const std::string& path, const std::string& chart_js_directory = "") {
    DashboardRoutes routes(chart_js_directory.empty() ? directory_.string() : chart_js_directory);
    Router router;
    routes.register_routes(router);
    return router.route(ApiRequest{.method = "GET", .path = path});
  }

  std::filesystem::path directory_;
};

TEST_F(DashboardRoutesTest, RootIsTheEmbeddedPage) {
  const ApiResponse page = get("/");
  EXPECT_EQ(page.status, 200);
  ASSERT_TRUE(page.text);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.text->find("<script src=\"/assets/dashboard.js\""), std::string::npos);
  EXPECT_NE(page.text->find("/chart.js/chart.min.js"), std::string::npos);
}

TEST_F(DashboardRoutesTest, AssetsAreTheEmbeddedFilesWithTheirTypes) {
  const ApiResponse script = get("/assets/dashboard.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  ASSERT_TRUE(script.text);
  EXPECT_EQ(*script.text, std::string(find_embedded_file("dashboard.js")->bytes));
  EXPECT_EQ(get("/assets/dashboard.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/assets/missing.js").status, 404);
}

TEST_F(DashboardRoutesTest, ChartJsComesFromItsDirectoryAndNowhereElse) {
  const ApiResponse chart = get("/chart.js/chart.min.js");
  EXPECT_EQ(chart.status, 200);
  EXPECT_EQ(chart.text.value_or(""), "/* Chart.js */");
  EXPECT_EQ(get("/chart.js/outside.js").status, 404);
  EXPECT_EQ(get("/chart.js/..").status, 404);
  EXPECT_EQ(get("/chart.js/.hidden").status, 404);
  EXPECT_EQ(get("/chart.js/%2e%2e%2foutside.js").status, 404);
}

TEST_F(DashboardRoutesTest, MissingChartJsSaysWhichPackageToInstall) {
  const ApiResponse missing = get("/chart.js/chart.min.js", (directory_ / "absent").string());
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.text.value_or("").find("libjs-chart.js"), std::string::npos) << missing.text.value_or("");
}

TEST(WebAssetsTest, PlainFileNamesStayInTheirDirectory) {
  EXPECT_TRUE(is_plain_file_name("chart.min.js"));
  EXPECT_TRUE(is_plain_file_name("helpers_segment-1.js"));
  for (const char* name : {"", ".", "..", ".hidden", "a/b.js", "..%2f", "a b.js", "a\\b"})
    EXPECT_FALSE(is_plain_file_name(name)) << name;
}

TEST(WebAssetsTest, EveryPageFileIsEmbeddedWithItsLicenseLine) {
  for (const char* name : {"index.html", "login.html", "dashboard.css", "dashboard.js"}) {
    const EmbeddedFile* file = find_embedded_file(name);
    ASSERT_NE(file, nullptr) << name;
    EXPECT_NE(file->bytes.find("SPDX-License-Identifier"), std::string::npos) << name;
  }
  EXPECT_EQ(find_embedded_file("nothing.js"), nullptr);
  EXPECT_EQ(content_type_of("x.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace nettoll
