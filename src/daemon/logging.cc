#include "daemon/logging.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace nettoll {

void set_up_logging() {
  // systemd sets JOURNAL_STREAM for a service whose output goes to the journal.
  if (std::getenv("JOURNAL_STREAM")) {
    auto logger = std::make_shared<spdlog::logger>("nettoll", std::make_shared<spdlog::sinks::systemd_sink_st>());
    spdlog::set_default_logger(logger);
  } else {
    spdlog::set_default_logger(spdlog::stderr_color_st("nettoll"));
  }
  spdlog::cfg::load_env_levels();
}

}  // namespace nettoll
