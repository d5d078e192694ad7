// Where the logs go: the journal (with its priority levels) when systemd runs
// nettoll, stderr otherwise. SPDLOG_LEVEL=debug shows every kernel change.
#pragma once

namespace nettoll {

void set_up_logging();

}  // namespace nettoll
