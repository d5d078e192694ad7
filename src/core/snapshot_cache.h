// SPDX-License-Identifier: Apache-2.0
// SnapshotCache: one value made from inputs that change at known moments,
// kept until they change. The key names those inputs (the accounting's
// sample number, the applied plan's version...): a request with the key of
// the kept value gets that value, any other key makes a new one. So several
// readers within one second (the dashboard's tabs, `nettoll top`, a
// Prometheus scrape) share one snapshot, and none sees one older than its
// inputs. Pure: the key and the maker come in.
#pragma once

#include <functional>
#include <optional>
#include <utility>

namespace nettoll {

template <typename Key, typename Value>
class SnapshotCache {
 public:
  // The value for `key`: the kept one when it was made for an equal key,
  // else `make()`'s, which is kept in its place.
  const Value& get(const Key& key, const std::function<Value()>& make) {
    if (!kept_ || !(kept_->first == key)) kept_.emplace(key, make());
    return kept_->second;
  }

  // Forgets the kept value: the next get() makes one whatever its key.
  void clear() { kept_.reset(); }

  // Whether a value is kept (for tests).
  bool holds() const { return kept_.has_value(); }

 private:
  std::optional<std::pair<Key, Value>> kept_;
};

}  // namespace nettoll
