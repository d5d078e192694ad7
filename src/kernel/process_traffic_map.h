// SPDX-License-Identifier: Apache-2.0
// ProcessTrafficMap: reads and prunes the classifier's per-process
// accounting map (process_traffic in src/bpf/classifier.bpf.c), an LRU
// per-CPU hash the tc programs add every packet to, keyed by the socket's
// creator (tgid, rule, comm). The map itself belongs to BpfClassifier.
#pragma once

#include <vector>

#include "core/process_counters.h"

namespace nettoll {

class ProcessTrafficMap {
 public:
  // `map_fd`: BpfClassifier::process_traffic_fd(); not owned.
  explicit ProcessTrafficMap(int map_fd);

  // Every entry, its per-CPU values summed. An entry the LRU evicts while
  // this runs is skipped.
  std::vector<ProcessCounterReading> read() const;

  // Drops the entry of `key` (an exited process, folded by the caller);
  // none there is not an error.
  void erase(const ProcessCounterKey& key) const;

 private:
  int map_fd_;
  int cpus_;
};

}  // namespace nettoll
