// SPDX-License-Identifier: Apache-2.0
// Asking container engines for names over their unix socket, against a fake
// engine (cpp-httplib on a socket in a temp directory) answering as Docker's
// and Podman's compatible API do; and the daemon's lookup that asks for an
// unknown id once and re-matches when names arrive.
#include "clients/container_engines.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "daemon/container_name_lookup.h"
#include "inline_client_calls.h"

namespace nettoll {
namespace {

using namespace std::chrono_literals;

const std::string kPlex = "3f2a6b0c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";

class FakeEngine {
 public:
  explicit FakeEngine(const std::string& path) : path_(path) {
    server_.set_address_family(AF_UNIX);
    server_.Get("/containers/json", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        host_ = request.get_header_value("Host");
        query_all_ = request.get_param_value("all");
      }
      if (hang_) released_.wait();
      response.status = status_;
      response.set_content(body_, "application/json");
    });
    bound_ = server_.bind_to_port(path_, 80);
    if (bound_) thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeEngine() {
    release_.set_value();
    server_.stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove(path_);
  }
  bool bound() const { return bound_; }
  void answer(int status, std::string body) {
    status_ = status;
    body_ = std::move(body);
  }
  void hang() { hang_ = true; }
  // The last request's Host header and `all` parameter.
  std::string host() {
    std::lock_guard lock(mutex_);
    return host_;
  }
  std::string query_all() {
    std::lock_guard lock(mutex_);
    return query_all_;
  }

 private:
  std::mutex mutex_;
  std::string host_, query_all_;
  std::string path_;
  httplib::Server server_;
  std::thread thread_;
  bool bound_ = false;
  int status_ = 200;
  std::string body_ = "[]";
  bool hang_ = false;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

class ContainerEnginesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nettoll-engine-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string socket(const std::string& name) const { return directory_ + "/" + name; }
  std::string directory_;
};

TEST_F(ContainerEnginesTest, ReadsDockerNamesFromTheEngineSocket) {
  FakeEngine docker(socket("docker.sock"));
  ASSERT_TRUE(docker.bound());
  docker.answer(200, R"([{"Id": ")" + kPlex + R"(", "Names": ["/plex"], "Image": "plexinc/pms-docker"}])");
  const auto names = read_engine_containers(socket("docker.sock"), 2s);
  ASSERT_TRUE(names) << names.error();
  EXPECT_EQ(*names, (ContainerNames{{kPlex, "plex"}}));
  EXPECT_EQ(docker.query_all(), "true") << "created containers are listed too";
  EXPECT_EQ(docker.host(), "localhost") << "Go's servers refuse a path as the Host";
}

TEST_F(ContainerEnginesTest, BadRepliesNameTheSocket) {
  FakeEngine engine(socket("podman.sock"));
  ASSERT_TRUE(engine.bound());
  engine.answer(200, "<html>not an engine</html>");
  auto names = read_engine_containers(socket("podman.sock"), 2s);
  ASSERT_FALSE(names);
  EXPECT_NE(names.error().find(socket("podman.sock")), std::string::npos) << names.error();
  EXPECT_NE(names.error().find("not JSON"), std::string::npos) << names.error();
  engine.answer(500, R"({"message": "boom"})");
  names = read_engine_containers(socket("podman.sock"), 2s);
  ASSERT_FALSE(names);
  EXPECT_NE(names.error().find("HTTP 500"), std::string::npos) << names.error();
}

TEST_F(ContainerEnginesTest, AHungEngineFailsWithinTheTimeout) {
  FakeEngine engine(socket("hung.sock"));
  ASSERT_TRUE(engine.bound());
  engine.hang();
  const auto start = std::chrono::steady_clock::now();
  const auto names = read_engine_containers(socket("hung.sock"), 200ms);
  ASSERT_FALSE(names);
  EXPECT_NE(names.error().find(socket("hung.sock")), std::string::npos) << names.error();
  // One-sided: a loaded machine may take longer to notice, never less.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(ContainerEnginesTest, MissingEnginesAreSkippedAndFailuresListedOncePerEngine) {
  FakeEngine docker(socket("docker.sock"));
  FakeEngine broken(socket("broken.sock"));
  ASSERT_TRUE(docker.bound() && broken.bound());
  docker.answer(200, R"([{"Id": ")" + kPlex + R"(", "Names": ["/plex"]}])");
  broken.answer(200, "{}");
  const EngineAnswers answers =
      read_container_names({socket("docker.sock"), socket("absent.sock"), socket("broken.sock")}, 2s);
  EXPECT_EQ(answers.names, (ContainerNames{{kPlex, "plex"}}));
  ASSERT_EQ(answers.failures.size(), 1u);
  EXPECT_NE(answers.failures[0].find(socket("broken.sock")), std::string::npos) << answers.failures[0];
  EXPECT_NE(answers.failures[0].find("by id"), std::string::npos) << answers.failures[0];
}

TEST_F(ContainerEnginesTest, LookupAsksForAnUnknownIdAndReportsNewNames) {
  FakeEngine docker(socket("docker.sock"));
  ASSERT_TRUE(docker.bound());
  docker.answer(200, R"([{"Id": ")" + kPlex + R"(", "Names": ["/plex"]}])");
  int new_names = 0;
  ContainerNameLookup lookup(
      std::make_unique<InlineClientCalls>(), [&] { return std::vector<std::string>{socket("docker.sock")}; },
      [&] { ++new_names; });
  // Inline calls answer at once: the name is there for the next question.
  EXPECT_EQ(lookup.name_of(kPlex), std::nullopt);
  EXPECT_EQ(new_names, 1);
  EXPECT_EQ(lookup.name_of(kPlex), "plex");
  EXPECT_EQ(lookup.namer()(kPlex), "plex");
  // An id the engine does not know is not asked about again at once.
  const std::string unknown(64, 'e');
  EXPECT_EQ(lookup.name_of(unknown), std::nullopt);
  EXPECT_EQ(lookup.name_of(unknown), std::nullopt);
  EXPECT_EQ(new_names, 1);
}

}  // namespace
}  // namespace nettoll
