// SPDX-License-Identifier: Apache-2.0
// The usage database after a simulated year: N process names spread over R
// rules (name i in rule i mod R; --every-rule: every name in every rule),
// both directions, a row per hour for every (name, rule, direction), written
// through the recorder as the daemon writes them (one transaction per flush;
// here one flush per simulated hour, which yields the same rows as 60). Prints
// the file's size, the write cost per flush and the time of the queries that
// `nettoll usage` runs. No root, no network.
//   usage_db_bench [--names 200] [--rules 3] [--every-rule] [--days 365] [--dir /tmp]
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "bench_output.h"
#include "core/data_size.h"
#include "usage/usage_recorder.h"
#include "usage/usage_report.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

uint64_t file_size(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  int names = 200, rules = 3, days = 365;
  std::string dir = std::filesystem::temp_directory_path().string();
  bool every_rule = false;
  for (int i = 1; i < argc; ++i) every_rule = every_rule || !std::strcmp(argv[i], "--every-rule");
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--every-rule")) --i;  // a flag: the next argument is an option
    if (!std::strcmp(argv[i], "--names")) names = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rules")) rules = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--days")) days = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  const std::string path = dir + "/nettoll-usage-bench-" + std::to_string(getpid()) + ".db";
  auto store = nettoll::UsageStore::open_for_writing(path);
  if (!store) {
    std::fprintf(stderr, "usage_db_bench: %s\n", store.error().c_str());
    return 2;
  }
  const int64_t start = 1'767'225'600;  // 2026-01-01 00:00 UTC
  {
    nettoll::UsageRecorder recorder(std::move(*store), 400);
    std::mt19937_64 random(14);
    std::lognormal_distribution<double> bytes(16.0, 2.0);  // median ~9 MB an hour, long tail
    std::vector<nettoll::UsageSample> deltas;
    double slowest_flush = 0;
    const auto began = Clock::now();
    for (int hour = 0; hour < days * 24; ++hour) {
      deltas.clear();
      for (int name = 0; name < names; ++name) {
        for (int rule = every_rule ? 0 : name % rules; rule < (every_rule ? rules : name % rules + 1);
             ++rule) {
          for (auto direction : {nettoll::UsageDirection::download, nettoll::UsageDirection::upload}) {
            deltas.push_back({"process-" + std::to_string(name), "rule-" + std::to_string(rule), direction,
                              static_cast<uint64_t>(bytes(random)) + 1});
          }
        }
      }
      const int64_t now = start + hour * nettoll::kSecondsPerHour + 1800;
      recorder.record(now, deltas);
      const auto flush_began = Clock::now();
      if (auto flushed = recorder.flush(now); !flushed) {
        std::fprintf(stderr, "usage_db_bench: %s\n", flushed.error().c_str());
        return 2;
      }
      slowest_flush = std::max(slowest_flush, seconds_since(flush_began));
    }
    const double write_seconds = seconds_since(began);
    const int rows_per_hour = (every_rule ? names * rules : names) * 2;
    nettoll::bench::report(
        fmt::format(
            "wrote {} days x {} rows/hour ({} names {} {} rules x 2 directions) in {:.1f} s: {:.2f} ms a "
            "flush on average, slowest {:.1f} ms",
            days, rows_per_hour, names, every_rule ? "x" : "over", rules, write_seconds,
            write_seconds * 1000 / (days * 24), slowest_flush * 1000),
        {{"figure", "usage_db_write"},
         {"days", days},
         {"rows_per_hour", rows_per_hour},
         {"mean_flush_ms", write_seconds * 1000 / (days * 24)},
         {"slowest_flush_ms", slowest_flush * 1000}});
  }  // closing the last connection checkpoints the WAL into the file
  auto reader = nettoll::UsageStore::open_read_only(path);
  if (!reader) {
    std::fprintf(stderr, "usage_db_bench: %s\n", reader.error().c_str());
    return 2;
  }
  const uint64_t size = file_size(path) + file_size(path + "-wal");
  const uint64_t rows = static_cast<uint64_t>(days) * 24 * (every_rule ? names * rules : names) * 2;
  nettoll::bench::report(fmt::format("database after {} days: {} ({} rows, {:.1f} bytes a row)", days,
                                     nettoll::format_data_size(size), rows, static_cast<double>(size) / rows),
                         {{"figure", "usage_db_size"}, {"days", days}, {"bytes", size}, {"rows", rows}});
  for (auto by :
       {nettoll::UsageGrouping::process, nettoll::UsageGrouping::rule, nettoll::UsageGrouping::day}) {
    const auto began = Clock::now();
    auto buckets = reader->totals(nettoll::usage_key_for(by), {});
    if (!buckets) {
      std::fprintf(stderr, "usage_db_bench: %s\n", buckets.error().c_str());
      return 2;
    }
    const size_t report_rows = nettoll::build_usage_report(*buckets, by).size();
    const double seconds = seconds_since(began);
    const std::string name = by == nettoll::UsageGrouping::process ? "process"
                             : by == nettoll::UsageGrouping::rule  ? "rule"
                                                                   : "day";
    nettoll::bench::report(fmt::format("nettoll usage --by {} over all {} days: {:.0f} ms ({} rows)", name,
                                       days, seconds * 1000, report_rows),
                           {{"figure", "usage_query_ms"}, {"by", name}, {"ms", seconds * 1000}});
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return 0;
}
