// SPDX-License-Identifier: Apache-2.0
#include "api/router.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

// Built in the return statement: no move of an ApiRequest, whose implicit
// move constructor clang-tidy counts as one that may throw (nlohmann::json).
ApiRequest request(const std::string& method, const std::string& path) {
  return ApiRequest{method, path, {}, {}, nullptr, "", ""};
}

TEST(Router, RunsTheHandlerOfTheMatchingMethodAndPath) {
  Router router;
  router.add("GET", "/v1/status", [](const ApiRequest&) { return ApiResponse{200, {{"who", "status"}}}; });
  router.add("POST", "/v1/reload", [](const ApiRequest&) { return ApiResponse{200, {{"who", "reload"}}}; });
  EXPECT_EQ(router.route(request("GET", "/v1/status")).body["who"], "status");
  EXPECT_EQ(router.route(request("POST", "/v1/reload")).body["who"], "reload");
}

TEST(Router, PlaceholdersArriveAsParams) {
  Router router;
  router.add("DELETE", "/v1/reservations/{id}", [](const ApiRequest& r) {
    return ApiResponse{204, {{"id", r.params.at("id")}}};
  });
  const ApiResponse response = router.route(request("DELETE", "/v1/reservations/abc-1"));
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.body["id"], "abc-1");
  EXPECT_EQ(router.route(request("DELETE", "/v1/reservations")).status, 404);
  EXPECT_EQ(router.route(request("DELETE", "/v1/reservations/a/b")).status, 404);
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405) {
  Router router;
  router.add("GET", "/v1/status", [](const ApiRequest&) { return ApiResponse{}; });
  EXPECT_EQ(router.route(request("GET", "/v1/nothing")).status, 404);
  const ApiResponse wrong = router.route(request("POST", "/v1/status"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.body["error"].get<std::string>().find("allowed: GET"), std::string::npos);
}

TEST(Router, ALaterAddReplacesTheHandler) {
  Router router;
  router.add("GET", "/v1/x", [](const ApiRequest&) { return ApiResponse{200, {{"n", 1}}}; });
  router.add("GET", "/v1/x", [](const ApiRequest&) { return ApiResponse{200, {{"n", 2}}}; });
  EXPECT_EQ(router.route(request("GET", "/v1/x")).body["n"], 2);
}

TEST(Router, RemovedPatternAnswers404ForEveryMethodAndOthersStay) {
  Router router;
  router.add("GET", "/v1/reservations", [](const ApiRequest&) { return ApiResponse{200, {}}; });
  router.add("POST", "/v1/reservations", [](const ApiRequest&) { return ApiResponse{201, {}}; });
  router.add("DELETE", "/v1/reservations/{id}", [](const ApiRequest&) { return ApiResponse{200, {}}; });
  router.remove("/v1/reservations");
  EXPECT_EQ(router.route(request("GET", "/v1/reservations")).status, 404);
  EXPECT_EQ(router.route(request("POST", "/v1/reservations")).status, 404);
  EXPECT_EQ(router.route(request("DELETE", "/v1/reservations/a")).status, 200);
}

TEST(Router, TrailingAndRepeatedSlashesDoNotMatter) {
  Router router;
  router.add("GET", "/v1/status", [](const ApiRequest&) { return ApiResponse{}; });
  EXPECT_EQ(router.route(request("GET", "/v1/status/")).status, 200);
  EXPECT_EQ(router.route(request("GET", "//v1//status")).status, 200);
}

}  // namespace
}  // namespace nettoll
