// SPDX-License-Identifier: Apache-2.0
// DashboardBrowser: Debian's chromium, headless, run inside a test's network
// namespace with a profile of the test's own, to load the dashboard as a
// user's browser does (cookies, redirects, JavaScript, Chart.js), and
// PageDom, the rendered page as --dump-dom prints it.
#pragma once

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "devtools_page.h"
#include "testbed.h"

namespace nettoll::testing {

// A row of the page's process table, from its data-* attributes.
struct ProcessRow {
  std::string name;
  std::string rule;
  double down_bps = 0;
  double up_bps = 0;
};

// A quota bar of the page, from its data-* attributes and its text.
struct QuotaBar {
  double used = -1;    // bytes; -1 when the page has no such bar
  std::string limit;   // bytes, as the page wrote them
  std::string resets;  // Unix time of the period's end
  std::string text;    // what a reader sees ("1.2 MB of 10.0 GB · resets in 29 d")
};

struct PageDom {
  std::string html;  // the DOM after the virtual-time budget; empty when chromium failed
  std::string log;   // chromium's stderr

  // The text inside the element with `id` (no child elements), or "".
  std::string element_text(const std::string& id) const {
    std::smatch match;
    const std::regex pattern("id=\"" + id + "\"[^>]*>([^<]*)<");
    return std::regex_search(html, match, pattern) ? match[1].str() : "";
  }

  // The bar of quota `scope` ("link" or a rule) and `measure` (total,
  // download, upload).
  QuotaBar quota_bar(const std::string& scope, const std::string& measure) const {
    std::smatch match;
    const std::regex pattern("<div class=\"quota[^\"]*\" data-quota=\"" + scope + "\" data-measure=\"" +
                             measure +
                             "\" data-used=\"([0-9]+)\" data-limit=\"([0-9]+)\" data-resets=\"([0-9]+)\">"
                             "([\\s\\S]*?)<div class=\"meter");
    if (!std::regex_search(html, match, pattern)) return {};
    const std::string text = std::regex_replace(match[4].str(), std::regex("<[^>]*>|\\s+"), " ");
    return {std::stod(match[1].str()), match[2].str(), match[3].str(), text};
  }

  std::vector<ProcessRow> process_rows() const {
    std::vector<ProcessRow> rows;
    const std::regex row_pattern("<tr [^>]*class=\"process\"[^>]*>");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), row_pattern); it != std::sregex_iterator();
         ++it) {
      const std::string tag = it->str();
      const auto attribute = [&](const std::string& name) {
        std::smatch match;
        return std::regex_search(tag, match, std::regex(name + "=\"([^\"]*)\"")) ? match[1].str() : "";
      };
      const auto number = [&](const std::string& name) {
        const std::string text = attribute(name);
        return text.empty() ? 0.0 : std::stod(text);
      };
      rows.push_back(
          {attribute("data-name"), attribute("data-rule"), number("data-down-bps"), number("data-up-bps")});
    }
    return rows;
  }
};

// Where tests leave files for people to look at (the build directory's
// test-artifacts/); the directory is created.
inline std::string dashboard_artifact(const std::string& name) {
  const std::string directory = NETTOLL_ARTIFACT_DIR;
  std::filesystem::create_directories(directory);
  return directory + "/" + name;
}

class DashboardBrowser {
 public:
  // `directory`: the profile, cache and logs, inside the test's own tree.
  DashboardBrowser(std::string network_namespace, std::string directory)
      : namespace_(std::move(network_namespace)), directory_(std::move(directory)) {
    std::filesystem::create_directories(directory_);
  }

  static bool installed() { return run_command("command -v chromium").exit_status == 0; }

  // Loads `url`, lets the page run for `budget_ms` of virtual time, and
  // returns the DOM.
  PageDom dump_dom(const std::string& url, int budget_ms = 8000) const {
    const std::string out = directory_ + "/dom.html";
    const auto run = run_command(command(budget_ms) + " --dump-dom '" + url + "' > " + out + " 2> " + log());
    PageDom page{run.exit_status == 0 ? read(out) : "", read(log())};
    return page;
  }

  // Loads `url` in a 1280×900 window and saves a PNG at `path`; returns
  // `path`, or "" when chromium failed.
  std::string screenshot(const std::string& url, const std::string& path, int budget_ms = 8000) const {
    std::filesystem::remove(path);
    run_command(command(budget_ms) + " --window-size=1280,900 --screenshot=" + path + " '" + url +
                "' > /dev/null 2> " + log());
    return std::filesystem::exists(path) ? path : "";
  }

 private:
  std::string log() const { return directory_ + "/chromium.log"; }

  // chromium_command() as one shell line, with a virtual-time budget.
  std::string command(int budget_ms) const {
    std::string line;
    for (const std::string& word : chromium_command(namespace_, directory_)) line += word + " ";
    return line + "--virtual-time-budget=" + std::to_string(budget_ms);
  }

  static std::string read(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::string namespace_;
  std::string directory_;
};

}  // namespace nettoll::testing
