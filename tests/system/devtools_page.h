// SPDX-License-Identifier: Apache-2.0
// DevToolsPage: Debian's chromium, headless, inside a test's network
// namespace, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: fd 3 in, fd 4 out, one JSON message per NUL):
// no port is opened. Tests click the page's own buttons with the mouse, as a
// user does, and read what its JavaScript then shows. chromium_command() is
// the command line DashboardBrowser (--dump-dom, --screenshot) shares.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nettoll::testing {

// chromium, headless, in namespace `network_namespace` (nsenter: `ip netns
// exec` would remount /sys), with a HOME, profile and cache under
// `directory`; root needs --no-sandbox. Bounded to 5 minutes; no background
// connections (there is no internet anyway).
std::vector<std::string> chromium_command(const std::string& network_namespace, const std::string& directory);

class DevToolsPage {
 public:
  // Starts chromium at `url` and attaches to its page; error() says why not.
  DevToolsPage(const std::string& network_namespace, const std::string& directory, const std::string& url);
  ~DevToolsPage();
  DevToolsPage(const DevToolsPage&) = delete;
  DevToolsPage& operator=(const DevToolsPage&) = delete;

  // "" while the browser answers; else the first failure.
  const std::string& error() const { return error_; }

  // The value of JavaScript `expression` in the page, promises awaited; null
  // when it threw, the browser refused it, or did not answer (then error()
  // says so).
  nlohmann::json evaluate(const std::string& expression);

  // True once `expression` is truthy in the page, checking every 50 ms;
  // false after `timeout`.
  bool wait_for(const std::string& expression, std::chrono::milliseconds timeout);

  // Scrolls to the first element matching CSS `selector` and clicks its
  // centre with the mouse (press and release); false when there is no such
  // visible element.
  bool click(const std::string& selector);

  // The page's DOM now, as HTML.
  std::string html();

  // What chromium printed on stderr.
  std::string log() const;

 private:
  // Sends `method` (to the page's session when `to_page`) and waits up to
  // 20 s for its answer's "result"; null when the browser refused it, and
  // error_ set too when it did not answer.
  nlohmann::json call(const std::string& method, const nlohmann::json& params, bool to_page = true);
  bool attach();
  void fail(const std::string& why);

  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  int next_id_ = 0;
  std::string pending_;  // read but not yet a whole message
  std::string session_;
  std::string log_path_;
  std::string error_;
};

}  // namespace nettoll::testing
