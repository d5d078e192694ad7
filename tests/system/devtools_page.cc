// SPDX-License-Identifier: Apache-2.0
#include "devtools_page.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kAnswerTimeout = 20s;

// In the child: `fd` as descriptor `target`, kept open across exec.
void place_descriptor(int fd, int target) {
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  dup2(high, target);
}

// A JavaScript string literal of `text`.
std::string quoted(const std::string& text) { return nlohmann::json(text).dump(); }

}  // namespace

std::vector<std::string> chromium_command(const std::string& network_namespace,
                                          const std::string& directory) {
  return {"nsenter",
          "--net=/run/netns/" + network_namespace,
          "env",
          "HOME=" + directory,
          "XDG_CONFIG_HOME=" + directory + "/config",
          "XDG_CACHE_HOME=" + directory + "/cache",
          "timeout",
          "300",
          "chromium",
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--disable-default-apps",
          "--user-data-dir=" + directory + "/profile"};
}

DevToolsPage::DevToolsPage(const std::string& network_namespace, const std::string& directory,
                           const std::string& url)
    : log_path_(directory + "/chromium-devtools.log") {
  std::filesystem::create_directories(directory);
  // A browser that dies must fail the test, not kill it with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
    fail("cannot make the DevTools pipes");
    return;
  }
  std::vector<std::string> argv = chromium_command(network_namespace, directory + "/devtools");
  argv.insert(argv.end(), {"--window-size=1280,900", "--remote-debugging-pipe", url});
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_ = fork();
  if (pid_ == 0) {
    place_descriptor(to[0], 3);
    place_descriptor(from[1], 4);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(log);
  close(to[0]);
  close(from[1]);
  to_browser_ = to[1];
  from_browser_ = from[0];
  if (pid_ < 0) fail("cannot fork chromium");
  if (error_.empty()) attach();
}

DevToolsPage::~DevToolsPage() {
  if (pid_ > 0) {
    try {
      if (error_.empty()) call("Browser.close", nlohmann::json::object(), false);
    } catch (const std::exception&) {
      // Closing is a courtesy: the signals below end the browser anyway.
    }
    // Up to 5 s to close by itself; then SIGTERM, which `timeout` passes on
    // to chromium; then SIGKILL.
    bool reaped = false;
    for (int signal_number : {0, SIGTERM, SIGKILL}) {
      if (signal_number != 0) kill(pid_, signal_number);
      for (int i = 0; i < 100 && !reaped; ++i) {
        reaped = waitpid(pid_, nullptr, WNOHANG) == pid_;
        if (!reaped) std::this_thread::sleep_for(50ms);
      }
      if (reaped) break;
    }
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
}

void DevToolsPage::fail(const std::string& why) {
  if (error_.empty()) error_ = why;
}

bool DevToolsPage::attach() {
  // The page target appears shortly after the browser starts.
  const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  nlohmann::json targets;
  do {
    targets = call("Target.getTargets", nlohmann::json::object(), false);
    for (const auto& target : targets.value("targetInfos", nlohmann::json::array())) {
      if (target.value("type", "") != "page") continue;
      const nlohmann::json attached = call(
          "Target.attachToTarget", {{"targetId", target.value("targetId", "")}, {"flatten", true}}, false);
      session_ = attached.value("sessionId", "");
      if (session_.empty()) fail("cannot attach to chromium's page: " + attached.dump());
      return !session_.empty();
    }
    std::this_thread::sleep_for(50ms);
  } while (error_.empty() && std::chrono::steady_clock::now() < deadline);
  fail("chromium shows no page: " + targets.dump());
  return false;
}

nlohmann::json DevToolsPage::call(const std::string& method, const nlohmann::json& params, bool to_page) {
  if (!error_.empty()) return nullptr;
  const int id = ++next_id_;
  nlohmann::json message{{"id", id}, {"method", method}, {"params", params}};
  if (to_page) message["sessionId"] = session_;
  const std::string text = message.dump() + '\0';
  if (write(to_browser_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    fail("chromium stopped reading (" + method + ")");
    return nullptr;
  }
  const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  while (true) {
    // Events and other answers come in between; only ours is wanted.
    for (size_t end; (end = pending_.find('\0')) != std::string::npos;) {
      const auto answer = nlohmann::json::parse(pending_.substr(0, end), nullptr, false);
      pending_.erase(0, end + 1);
      if (!answer.is_object() || answer.value("id", -1) != id) continue;
      // A refused command (no such node, a page between two documents) is
      // an answer: the browser still works.
      if (answer.contains("error")) return nullptr;
      return answer.value("result", nlohmann::json::object());
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{from_browser_, POLLIN, 0};
    if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
      fail("chromium did not answer " + method + " within 20 s");
      return nullptr;
    }
    char buffer[65536];
    const ssize_t got = read(from_browser_, buffer, sizeof buffer);
    if (got <= 0) {
      fail("chromium closed its DevTools pipe (" + method + ")");
      return nullptr;
    }
    pending_.append(buffer, static_cast<size_t>(got));
  }
}

nlohmann::json DevToolsPage::evaluate(const std::string& expression) {
  const nlohmann::json reply =
      call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (reply.is_null()) return nullptr;
  if (reply.contains("exceptionDetails")) {
    // An exception while a page is still loading (an element not there yet)
    // is an answer, not a broken browser: the caller decides.
    return nullptr;
  }
  return reply["result"].value("value", nlohmann::json());
}

bool DevToolsPage::wait_for(const std::string& expression, std::chrono::milliseconds timeout) {
  // A broken browser ends the wait at once, as a failure.
  bool holds = false;
  eventually(
      [&] {
        holds = evaluate("Boolean(" + expression + ")") == true;
        return holds || !error_.empty();
      },
      timeout);
  return holds;
}

bool DevToolsPage::click(const std::string& selector) {
  // The centre of the element in the viewport, once scrolled into it; null
  // for a missing or hidden one (no box), or one that something covers.
  const nlohmann::json centre = evaluate("(() => { const e = document.querySelector(" + quoted(selector) +
                                         "); if (!e) return null; e.scrollIntoView({block: 'center'});"
                                         " const r = e.getBoundingClientRect();"
                                         " if (!r.width || !r.height) return null;"
                                         " const x = r.x + r.width / 2, y = r.y + r.height / 2;"
                                         " const hit = document.elementFromPoint(x, y);"
                                         " return hit && e.contains(hit) ? {x, y} : null; })()");
  if (!centre.is_object()) return false;
  for (const char* type : {"mouseMoved", "mousePressed", "mouseReleased"}) {
    nlohmann::json event{{"type", type}, {"x", centre["x"]}, {"y", centre["y"]}};
    if (std::string(type) != "mouseMoved") {
      event["button"] = "left";
      event["clickCount"] = 1;
    }
    if (call("Input.dispatchMouseEvent", event).is_null()) return false;
  }
  return true;
}

std::string DevToolsPage::html() {
  const nlohmann::json text = evaluate("document.documentElement.outerHTML");
  return text.is_string() ? text.get<std::string>() : "";
}

std::string DevToolsPage::log() const {
  std::ifstream file(log_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace nettoll::testing
