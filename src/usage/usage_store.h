// SPDX-License-Identifier: Apache-2.0
// UsageStore: the usage database (SQLite, WAL): hourly rows of bytes per
// (process name, rule, direction). The only code that knows SQLite.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "usage/usage_row.h"

struct sqlite3;

namespace nettoll {

inline constexpr const char* kDefaultUsageDatabase = "/var/lib/nettoll/usage.db";
inline constexpr int kUsageSchemaVersion = 1;

// What a query adds up by: one bucket per process name, per rule, per hour,
// or per hour and process name or rule.
enum class UsageKey { process, rule, hour, hour_and_process, hour_and_rule };

// The bytes of one bucket of a query.
struct UsageBucket {
  std::string name;  // process or rule name; empty when grouped by hour only
  int64_t hour = 0;  // start of the UTC hour when grouped by hour, else 0
  uint64_t download = 0;
  uint64_t upload = 0;
  uint64_t total() const { return download + upload; }
  bool operator==(const UsageBucket&) const = default;
};

// Which rows a query reads: hours in [from, to), and optionally one rule.
struct UsageFilter {
  int64_t from = INT64_MIN;
  int64_t to = INT64_MAX;
  std::string rule;  // empty = all rules
};

class UsageStore {
 public:
  // Opens (creating it and its schema if needed) the database at `path` for
  // the daemon. Fails with the path and SQLite's reason, or when the schema
  // is newer than this nettoll knows.
  static Result<UsageStore> open_for_writing(const std::string& path);
  // Opens an existing database read-only (for `nettoll usage`). Fails with
  // "no usage database at PATH" when there is none.
  static Result<UsageStore> open_read_only(const std::string& path);

  UsageStore(UsageStore&&) noexcept;
  UsageStore& operator=(UsageStore&&) noexcept;
  ~UsageStore();

  // Adds the bytes of `rows` to those already stored, in one transaction
  // (all or nothing). Fails with SQLite's reason.
  Result<void> add(const std::vector<HourlyUsage>& rows);
  // Deletes the rows of hours before `hour`; returns how many went.
  Result<int64_t> prune_before(int64_t hour);
  // The buckets of the rows `filter` selects, summed by `key`, in key order
  // (hour, then name).
  Result<std::vector<UsageBucket>> totals(UsageKey key, const UsageFilter& filter) const;
  // The schema version the file holds.
  Result<int> schema_version() const;

 private:
  explicit UsageStore(sqlite3* db, std::string path);
  Result<void> execute(const char* sql);

  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
  std::unordered_map<std::string, int64_t> name_ids_;  // names' ids, as written
};

}  // namespace nettoll
