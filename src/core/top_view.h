// SPDX-License-Identifier: Apache-2.0
// What `nettoll top` draws from a /v1/stats document: a header (interface,
// global limits, current rates), the processes sorted by a column (or
// grouped by rule), and the classes. Pure text, so it is tested without a
// terminal; the command only clears the screen and reads keys.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace nettoll {

enum class TopSort { rate, download, upload, total, name, pid };

struct TopOptions {
  TopSort sort = TopSort::rate;
  bool group_by_rule = false;
  size_t max_rows = 40;  // process rows shown
};

// The screen for `stats`, lines ending in '\n'.
std::string format_top(const nlohmann::json& stats, const TopOptions& options);

// "12.3 MB/s" style.
std::string human_rate(double bytes_per_second);
// "1.5 GB" style.
std::string human_size(double bytes);

}  // namespace nettoll
