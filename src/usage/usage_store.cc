// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <unordered_map>

namespace nettoll {
namespace {

// Names are kept once in `names`; rows refer to them, which keeps a year of
// hourly rows small. A schema change adds a step here and bumps the version.
constexpr std::array<const char*, 1> kMigrations = {
    "CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE usage(hour INTEGER NOT NULL, process INTEGER NOT NULL REFERENCES names(id),"
    " rule INTEGER NOT NULL REFERENCES names(id), direction INTEGER NOT NULL, bytes INTEGER NOT NULL,"
    " PRIMARY KEY(hour, process, rule, direction)) WITHOUT ROWID;"};
static_assert(kMigrations.size() == kUsageSchemaVersion);

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return statement_ != nullptr; }
  sqlite3_stmt* get() const { return statement_; }
  void bind(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  void bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  int step() { return sqlite3_step(statement_); }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

Error sqlite_error(sqlite3* db, const std::string& path, const std::string& what) {
  return Error{"usage database " + path + ": " + what + ": " + sqlite3_errmsg(db)};
}

}  // namespace

void UsageStore::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

UsageStore::UsageStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
UsageStore::UsageStore(UsageStore&&) noexcept = default;
UsageStore& UsageStore::operator=(UsageStore&&) noexcept = default;
UsageStore::~UsageStore() = default;

Result<void> UsageStore::execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) == SQLITE_OK) return success();
  Error error{"usage database " + path_ + ": " + (message ? message : "unknown error")};
  sqlite3_free(message);
  return error;
}

Result<UsageStore> UsageStore::open_for_writing(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  UsageStore store(raw, path);
  if (opened != SQLITE_OK) return sqlite_error(raw, path, "cannot open");
  sqlite3_busy_timeout(raw, 2000);
  // Per-process history is no one else's business; SQLite gives the WAL and
  // shared-memory files the database's mode, so set it first.
  chmod(path.c_str(), 0640);
  // WAL: readers (`nettoll usage`) never block the daemon's writes. NORMAL
  // sync in WAL mode loses no committed transaction on a process crash.
  if (auto set = store.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !set)
    return Error{set.error()};
  auto version = store.schema_version();
  if (!version) return Error{version.error()};
  if (*version > kUsageSchemaVersion) {
    return Error{"usage database " + path + " has schema version " + std::to_string(*version) +
                 ", newer than this nettoll knows (" + std::to_string(kUsageSchemaVersion) + ")"};
  }
  for (int step = *version; step < kUsageSchemaVersion; ++step) {
    const std::string sql = std::string("BEGIN;") + kMigrations[step] +
                            "PRAGMA user_version=" + std::to_string(step + 1) + ";COMMIT;";
    if (auto migrated = store.execute(sql.c_str()); !migrated) {
      (void)store.execute("ROLLBACK;");
      return Error{migrated.error()};
    }
  }
  return store;
}

Result<UsageStore> UsageStore::open_read_only(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return Error{"no usage database at " + path + " (the daemon writes it once it counts traffic)"};
  }
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  UsageStore store(raw, path);
  if (opened != SQLITE_OK) return sqlite_error(raw, path, "cannot open");
  sqlite3_busy_timeout(raw, 2000);
  auto version = store.schema_version();
  if (!version) return Error{version.error()};
  if (*version != kUsageSchemaVersion) {
    return Error{"usage database " + path + " has schema version " + std::to_string(*version) +
                 ", this nettoll reads version " + std::to_string(kUsageSchemaVersion)};
  }
  return store;
}

Result<int> UsageStore::schema_version() const {
  Statement query(db_.get(), "PRAGMA user_version");
  if (!query.ok() || query.step() != SQLITE_ROW)
    return sqlite_error(db_.get(), path_, "cannot read the schema");
  return sqlite3_column_int(query.get(), 0);
}

Result<void> UsageStore::add(const std::vector<HourlyUsage>& rows) {
  if (rows.empty()) return success();
  if (auto begun = execute("BEGIN IMMEDIATE;"); !begun) return begun;
  Statement insert_name(db_.get(), "INSERT OR IGNORE INTO names(name) VALUES(?1)");
  Statement find_name(db_.get(), "SELECT id FROM names WHERE name = ?1");
  Statement upsert(
      db_.get(),
      "INSERT INTO usage(hour, process, rule, direction, bytes) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(hour, process, rule, direction) DO UPDATE SET bytes = bytes + excluded.bytes");
  // Names are few and rows many: ids come from memory after the first use.
  auto name_id = [&](const std::string& text) -> int64_t {
    if (auto known = name_ids_.find(text); known != name_ids_.end()) return known->second;
    insert_name.bind(1, text);
    const bool inserted = insert_name.step() == SQLITE_DONE;
    insert_name.reset();
    find_name.bind(1, text);
    const int64_t id =
        inserted && find_name.step() == SQLITE_ROW ? sqlite3_column_int64(find_name.get(), 0) : -1;
    find_name.reset();
    if (id >= 0) name_ids_.emplace(text, id);
    return id;
  };
  bool ok = insert_name.ok() && find_name.ok() && upsert.ok();
  for (size_t i = 0; ok && i < rows.size(); ++i) {
    const HourlyUsage& row = rows[i];
    const int64_t process = name_id(row.process);
    const int64_t rule = name_id(row.rule);
    ok = process >= 0 && rule >= 0;
    if (!ok) break;
    upsert.bind(1, row.hour);
    upsert.bind(2, process);
    upsert.bind(3, rule);
    upsert.bind(4, static_cast<int64_t>(row.direction));
    upsert.bind(5, static_cast<int64_t>(row.bytes));
    ok = upsert.step() == SQLITE_DONE;
    upsert.reset();
  }
  if (!ok) {
    Error error = sqlite_error(db_.get(), path_, "cannot write usage");
    (void)execute("ROLLBACK;");
    name_ids_.clear();  // names inserted by the rolled-back transaction are gone
    return error;
  }
  return execute("COMMIT;");
}

Result<int64_t> UsageStore::prune_before(int64_t hour) {
  Statement prune(db_.get(), "DELETE FROM usage WHERE hour < ?1");
  if (!prune.ok()) return sqlite_error(db_.get(), path_, "cannot prune");
  prune.bind(1, hour);
  if (prune.step() != SQLITE_DONE) return sqlite_error(db_.get(), path_, "cannot prune");
  const int64_t removed = sqlite3_changes64(db_.get());
  name_ids_.clear();
  // Names no row uses any more go too.
  if (auto cleaned = execute("DELETE FROM names WHERE id NOT IN (SELECT process FROM usage) AND id NOT IN "
                             "(SELECT rule FROM usage);");
      !cleaned) {
    return Error{cleaned.error()};
  }
  return removed;
}

// Names are few and rows many (a year of 50 names: ~900,000): the names are
// read once, and the rows of the range are summed here by their integer ids
// in one pass in primary-key (hour) order. A GROUP BY on the joined names
// had SQLite join two names per row and sort the year's rows by text.
Result<std::vector<UsageBucket>> UsageStore::totals(UsageKey key, const UsageFilter& filter) const {
  std::unordered_map<int64_t, std::string> names;
  int64_t rule_id = -1;
  {
    Statement query(db_.get(), "SELECT id, name FROM names");
    if (!query.ok()) return sqlite_error(db_.get(), path_, "cannot query");
    int stepped = SQLITE_ROW;
    while ((stepped = query.step()) == SQLITE_ROW) {
      std::string name = reinterpret_cast<const char*>(sqlite3_column_text(query.get(), 1));
      const int64_t id = sqlite3_column_int64(query.get(), 0);
      if (!filter.rule.empty() && name == filter.rule) rule_id = id;
      names.emplace(id, std::move(name));
    }
    if (stepped != SQLITE_DONE) return sqlite_error(db_.get(), path_, "cannot query");
  }
  if (!filter.rule.empty() && rule_id < 0) return std::vector<UsageBucket>{};  // no row has that rule
  Statement query(db_.get(),
                  "SELECT hour, process, rule, direction, bytes FROM usage WHERE hour >= ?1 AND hour < ?2 "
                  "AND (?3 < 0 OR rule = ?3) ORDER BY hour");
  if (!query.ok()) return sqlite_error(db_.get(), path_, "cannot query");
  query.bind(1, filter.from);
  query.bind(2, filter.to);
  query.bind(3, rule_id);
  const bool per_hour = key != UsageKey::process && key != UsageKey::rule;
  const bool per_name = key != UsageKey::hour;
  const int name_column = key == UsageKey::process || key == UsageKey::hour_and_process ? 1 : 2;
  std::vector<UsageBucket> buckets;
  // The buckets of one hour (rows come in hour order), or of the whole
  // range when not per hour, by process or rule id (-1: not per name).
  std::unordered_map<int64_t, UsageBucket> open;
  const auto close = [&] {
    const size_t first = buckets.size();
    for (auto& [id, bucket] : open) {
      const auto name = names.find(id);
      bucket.name = name == names.end() ? "" : name->second;
      buckets.push_back(std::move(bucket));
    }
    std::sort(buckets.begin() + static_cast<std::ptrdiff_t>(first), buckets.end(),
              [](const UsageBucket& a, const UsageBucket& b) { return a.name < b.name; });
    open.clear();
  };
  int stepped = SQLITE_ROW;
  while ((stepped = query.step()) == SQLITE_ROW) {
    const int64_t hour = sqlite3_column_int64(query.get(), 0);
    if (per_hour && !open.empty() && open.begin()->second.hour != hour) close();
    UsageBucket& bucket = open[per_name ? sqlite3_column_int64(query.get(), name_column) : -1];
    bucket.hour = per_hour ? hour : 0;
    const auto bytes = static_cast<uint64_t>(sqlite3_column_int64(query.get(), 4));
    (sqlite3_column_int64(query.get(), 3) == 0 ? bucket.download : bucket.upload) += bytes;
  }
  if (stepped != SQLITE_DONE) return sqlite_error(db_.get(), path_, "cannot query");
  close();
  return buckets;
}

}  // namespace nettoll
