// SPDX-License-Identifier: Apache-2.0
// The dashboard steered in a real browser: chromium, headless, in the test's
// namespace, driven over the DevTools protocol on a pipe (DevToolsPage). The
// test clicks the page's own buttons and headers with the mouse and reads
// what its JavaScript then shows, so each action goes through the page's
// code, its session cookie and its Origin: Release ends a webhook's
// reservation, Reload shows the result or `check`'s messages, a header click
// sorts the process table, the usage chart shows each day split by rule or
// by process (and 30-day totals), and Log out ends the session.
#include <fstream>

#include "dashboard_fixture.h"

namespace nettoll::testing {
namespace {

class DashboardSteeringTest : public DashboardTest {
 protected:
  // The order of ntbulk and ntcall in the page's process table.
  static std::vector<std::string> order(DevToolsPage& page) {
    const auto names = page.evaluate(
        "[...document.querySelectorAll('#process-table tr.process')].map((r) => r.dataset.name)"
        ".filter((n) => n === 'ntbulk' || n === 'ntcall')");
    return names.is_array() ? names.get<std::vector<std::string>>() : std::vector<std::string>{};
  }

  // The usage chart's bars as Chart.js holds them, in bytes: per label
  // (download + upload), or with `day`, that day's stack per series.
  static std::map<std::string, double> usage_bars(DevToolsPage& page, const std::string& day = "") {
    const auto chart = page.evaluate(
        "(() => { const c = Chart.getChart('usage-chart'); if (!c || !c.data.datasets.length) return null;"
        " const day = c.data.labels.indexOf('" +
        day +
        "');"
        " if (day >= 0) return c.data.datasets.map((d) => [d.label, d.data[day]]);"
        " return c.data.labels.map((l, i) => [l, c.data.datasets[0].data[i] + c.data.datasets[1].data[i]]); "
        "})()");
    std::map<std::string, double> bars;
    if (chart.is_array())
      for (const auto& bar : chart)
        bars[bar[0].get<std::string>()] = bar[1].is_number() ? bar[1].get<double>() : 0.0;
    return bars;
  }

  // Picks `value` in the usage chart's "by" menu, as a reader does.
  static void group_usage_by(DevToolsPage& page, const std::string& value) {
    page.evaluate("(() => { const s = document.getElementById('usage-by'); s.value = '" + value +
                  "'; s.dispatchEvent(new Event('change')); })()");
  }

  std::string reservations_json() const {
    return run_command("curl -sf --unix-socket " + socket_path_ + " http://localhost/v1/reservations").output;
  }
};

TEST_P(DashboardSteeringTest, TheReleaseButtonEndsAWebhooksReservation) {
  start_daemon(config());
  play_webhook("dash2");
  auto page = open_page();
  ASSERT_TRUE(page);
  ASSERT_TRUE(page->wait_for("document.querySelector('tr.reservation[data-id=\"dash2\"]')", 10s))
      << page->html();
  ASSERT_NE(reservations_json().find("dash2"), std::string::npos) << reservations_json();
  ASSERT_TRUE(page->click("button.release[data-id=\"dash2\"]")) << page->html();
  EXPECT_TRUE(page->wait_for("!document.querySelector('tr.reservation[data-id=\"dash2\"]')", 10s))
      << "the row goes at the next update\n"
      << page->html();
  EXPECT_EQ(reservations_json().find("dash2"), std::string::npos) << reservations_json();
  EXPECT_TRUE(page->evaluate("document.getElementById('reload-result').hidden") == true)
      << "no error shown: " << page->html();
}

TEST_P(DashboardSteeringTest, TheReloadButtonShowsTheResultOrCheckMessages) {
  start_daemon(config());
  auto page = open_page();
  ASSERT_TRUE(page);
  ASSERT_TRUE(page->click("#reload"));
  EXPECT_TRUE(page->wait_for(
      "!document.getElementById('reload-result').hidden &&"
      " document.getElementById('reload-result').textContent.startsWith('Config reloaded: applied.')",
      10s))
      << page->html();
  EXPECT_TRUE(daemon_->wait_for_output("reload applied", 5s)) << daemon_->output();

  // A config `check` refuses: the page shows check's own message.
  std::ofstream(config_path_) << "download: fast\n" << config().substr(config().find('\n') + 1);
  const CommandOutput check = run_command(nettoll_binary() + " check -c " + config_path_ + " 2>&1");
  ASSERT_EQ(check.exit_status, 1) << check.output;
  const std::string message = check.output.substr(0, check.output.find('\n'));
  ASSERT_NE(message.find(config_path_ + ":1:"), std::string::npos) << check.output;
  ASSERT_TRUE(page->click("#reload"));
  EXPECT_TRUE(
      page->wait_for("document.getElementById('reload-result').classList.contains('error') &&"
                     " document.getElementById('reload-result').textContent.includes(" +
                         nlohmann::json(message).dump() + ")",
                     10s))
      << message << "\n"
      << page->html();
  EXPECT_TRUE(
      page->evaluate("document.getElementById('reload-result').textContent.startsWith('Reload rejected')") ==
      true)
      << page->html();
  EXPECT_TRUE(daemon_->wait_for_output("reload rejected", 5s)) << daemon_->output();
  EXPECT_EQ(parse_tc_classes(in_a("tc class show dev vA"))[kBulkClass].ceil_bits, 40'000'000)
      << "shaping stays as it was";
}

TEST_P(DashboardSteeringTest, ClickingAHeaderSortsTheProcessTable) {
  start_daemon(config());
  start_traffic(15);
  auto page = open_page();
  ASSERT_TRUE(page);
  ASSERT_TRUE(page->wait_for(
      "document.querySelectorAll('#process-table tr.process[data-name^=\"nt\"]').length >= 2", 10s))
      << page->html();
  const std::vector<std::string> bulk_first{"ntbulk", "ntcall"}, call_first{"ntcall", "ntbulk"};
  EXPECT_EQ(order(*page), call_first) << "by download rate, the largest first (ntcall downloads)";
  const auto sorted = [&](const std::string& key, const std::string& direction) {
    return page->wait_for("document.querySelector('#process-table th[data-key=\"" + key +
                              "\"]').classList.contains('sorted-" + direction + "')",
                          5s);
  };
  ASSERT_TRUE(page->click("#process-table th[data-key=\"name\"]"));
  EXPECT_TRUE(sorted("name", "asc")) << page->html();
  EXPECT_EQ(order(*page), bulk_first) << "by name, A to Z";
  ASSERT_TRUE(page->click("#process-table th[data-key=\"name\"]"));
  EXPECT_TRUE(sorted("name", "desc")) << page->html();
  EXPECT_EQ(order(*page), call_first) << "by name again: Z to A";
  ASSERT_TRUE(page->click("#process-table th[data-key=\"up\"]"));
  EXPECT_TRUE(sorted("up", "desc")) << page->html();
  EXPECT_EQ(order(*page), bulk_first) << "by upload rate, the largest first (ntbulk uploads)";
  stop_clients();
}

TEST_P(DashboardSteeringTest, TheUsageChartShowsTheLast30DaysByRuleAndByProcess) {
  start_daemon(config());
  start_traffic(20);
  // The usage database has rows once the accounting has counted traffic
  // and the daemon has written it (GET /v1/usage writes what is pending).
  const auto recorded = [&] {
    const auto usage = nlohmann::json::parse(run_command("curl -sf --unix-socket " + socket_path_ +
                                                         " 'http://localhost/v1/usage?by=process&since=30d'")
                                                 .output,
                                             nullptr, false);
    int seen = 0;
    for (const auto& row : usage.value("rows", nlohmann::json::array()))
      if ((row.value("name", "") == "ntbulk" || row.value("name", "") == "ntcall") &&
          row.value("total", 0) > 0)
        ++seen;
    return seen == 2;
  };
  ASSERT_TRUE(eventually(recorded, 40s)) << "usage of both processes in the database";
  auto page = open_page();
  ASSERT_TRUE(page);
  const std::string today = run_command("date +%F").output.substr(0, 10);
  const std::vector<std::string> rules{"bulk", "call"}, processes{"ntbulk", "ntcall"};
  for (const auto& [by, names, day] :
       {std::tuple{"day:rule", rules, today}, std::tuple{"day:process", processes, today},
        std::tuple{"rule", rules, std::string()}, std::tuple{"process", processes, std::string()}}) {
    group_usage_by(*page, by);
    // Split days: a series per rule or process; totals: a bar each.
    const std::string where = day.empty() ? "c.data.labels" : "c.data.datasets.map((d) => d.label)";
    const bool shown =
        page->wait_for("(() => { const c = Chart.getChart('usage-chart'); const names = c && " + where +
                           "; return names && names.includes('" + names[0] + "') && names.includes('" +
                           names[1] + "'); })()",
                       10s);
    EXPECT_TRUE(shown) << by << ": " << page->evaluate("Chart.getChart('usage-chart')?.data").dump();
    const auto bars = usage_bars(*page, day);
    for (const std::string& name : names) {
      EXPECT_GT(bars.count(name) ? bars.at(name) : 0.0, 1e6)
          << by << ": " << name << "'s bar " << day << ", bytes";
    }
    EXPECT_TRUE(page->evaluate("!document.getElementById('usage-chart').parentElement.hidden") == true);
  }
  group_usage_by(*page, "day");
  EXPECT_TRUE(
      page->wait_for("Chart.getChart('usage-chart').data.datasets[0]?.label === 'download' &&"
                     " Chart.getChart('usage-chart').data.labels.includes('" +
                         today + "')",
                     10s))
      << "per day: today, " << today << " " << page->evaluate("Chart.getChart('usage-chart')?.data").dump();
  stop_clients();
}

TEST_P(DashboardSteeringTest, TheLogOutButtonEndsTheSession) {
  start_daemon(config());
  auto page = open_page();
  ASSERT_TRUE(page);
  ASSERT_TRUE(page->click("#logout"));
  EXPECT_TRUE(
      page->wait_for("!document.getElementById('process-table') &&"
                     " document.body.textContent.includes('nettoll dashboard')",
                     10s))
      << "the login page\n"
      << page->html();
  EXPECT_TRUE(daemon_->wait_for_output("dashboard: a browser logged out", 5s)) << daemon_->output();
  EXPECT_EQ(page->evaluate("fetch('/v1/status').then((r) => r.status)"), 401) << "the browser is logged out";
}

// "bpf" only: the page does not depend on the classifier path.
INSTANTIATE_TEST_SUITE_P(Paths, DashboardSteeringTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
