// SPDX-License-Identifier: Apache-2.0
#include "core/rate_history.h"

#include <charconv>
#include <cmath>

namespace nettoll {
namespace {

constexpr double kBitsPerByte = 8;

// Rates of one direction from its HTB tree: the root is the total.
void add_tree(const HtbTree& tree, bool download, const std::function<double(const std::string&)>& class_rate,
              RateSample& sample) {
  for (const HtbClass& c : tree.classes) {
    const double bps = class_rate(tree.device + " " + format_handle(c.id)) * kBitsPerByte;
    if (c.parent == tree.qdisc) {
      (download ? sample.download_bps : sample.upload_bps) = bps;
      (download ? sample.download_limit_bps : sample.upload_limit_bps) = c.ceil.bits_per_second();
      continue;
    }
    RuleRates& rule = sample.rules[c.rule == "default" ? "" : c.rule];
    (download ? rule.download_bps : rule.upload_bps) += bps;
  }
}

// Rates of one direction from the processes' counters.
void add_processes(const std::vector<ProcessUsage>& processes, bool download, RateSample& sample) {
  for (const ProcessUsage& process : processes) {
    const double bps =
        (download ? process.download_bytes_per_second : process.upload_bytes_per_second) * kBitsPerByte;
    (download ? sample.download_bps : sample.upload_bps) += bps;
    RuleRates& rule = sample.rules[process.rule];
    (download ? rule.download_bps : rule.upload_bps) += bps;
  }
}

uint64_t whole(double bps) { return bps <= 0 ? 0 : static_cast<uint64_t>(std::llround(bps)); }

nlohmann::json optional_json(const std::optional<uint64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void RateHistory::add(RateSample sample) {
  if (capacity_ == 0) return;
  if (samples_.size() < capacity_) {
    samples_.push_back(std::move(sample));
    return;
  }
  samples_[next_] = std::move(sample);
  next_ = (next_ + 1) % capacity_;
}

std::vector<RateSample> RateHistory::since(std::optional<int64_t> after_unix_ms) const {
  std::vector<RateSample> out;
  for (size_t i = 0; i < samples_.size(); ++i) {
    const RateSample& sample = samples_[(next_ + i) % samples_.size()];
    if (!after_unix_ms || sample.unix_ms > *after_unix_ms) out.push_back(sample);
  }
  return out;
}

RateSample rate_sample(int64_t unix_ms, const Plan& plan,
                       const std::function<double(const std::string&)>& class_rate,
                       const std::vector<ProcessUsage>& processes) {
  RateSample sample;
  sample.unix_ms = unix_ms;
  if (plan.ingress) {
    add_tree(*plan.ingress, true, class_rate, sample);
  } else {
    add_processes(processes, true, sample);
  }
  if (plan.egress) {
    add_tree(*plan.egress, false, class_rate, sample);
  } else {
    add_processes(processes, false, sample);
  }
  return sample;
}

nlohmann::json history_json(const std::vector<RateSample>& samples) {
  nlohmann::json list = nlohmann::json::array();
  for (const RateSample& sample : samples) {
    nlohmann::json rules = nlohmann::json::object();
    for (const auto& [name, rates] : sample.rules) {
      rules[name] = {{"download_bps", whole(rates.download_bps)}, {"upload_bps", whole(rates.upload_bps)}};
    }
    list.push_back({{"t", sample.unix_ms},
                    {"download_bps", whole(sample.download_bps)},
                    {"upload_bps", whole(sample.upload_bps)},
                    {"download_limit_bps", optional_json(sample.download_limit_bps)},
                    {"upload_limit_bps", optional_json(sample.upload_limit_bps)},
                    {"rules", std::move(rules)}});
  }
  return {{"interval_ms", RateHistory::kIntervalMs}, {"samples", std::move(list)}};
}

Result<int64_t> parse_since_ms(const std::string& text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error{"since: expected milliseconds since 1970 (e.g. 1733100000000), got '" + text + "'"};
  }
  return value;
}

}  // namespace nettoll
