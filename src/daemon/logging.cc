// SPDX-License-Identifier: Apache-2.0
#include "daemon/logging.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <cstdlib>
#include <mutex>

#include "core/config_loader.h"

namespace nettoll {
namespace {

std::string current_interface;          // NETTOLL_INTERFACE of every entry
thread_local std::string current_rule;  // NETTOLL_RULE of the entry being logged

int journal_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    default:
      return LOG_CRIT;
  }
}

// Like spdlog's systemd sink, plus nettoll's fields.
class JournalSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    const std::string text(message.payload.data(), message.payload.size());
    sd_journal_send("MESSAGE=%s", text.c_str(), "PRIORITY=%d", journal_priority(message.level),
                    "SYSLOG_IDENTIFIER=nettoll", "NETTOLL_INTERFACE=%s", current_interface.c_str(),
                    "NETTOLL_RULE=%s", current_rule.c_str(), nullptr);
  }
  void flush_() override {}
};

}  // namespace

void set_up_logging() {
  // systemd sets JOURNAL_STREAM for a service whose output goes to the journal.
  if (std::getenv("JOURNAL_STREAM")) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("nettoll", std::make_shared<JournalSink>()));
  } else {
    spdlog::set_default_logger(spdlog::stderr_color_st("nettoll"));
  }
  spdlog::cfg::load_env_levels();
}

void log_diagnostics(const LoadedConfig& loaded) {
  for (const Diagnostic& diagnostic : loaded.diagnostics) {
    if (diagnostic.severity == Diagnostic::Severity::error) {
      spdlog::error("{}", format_diagnostic(diagnostic));
    } else {
      spdlog::warn("{}", format_diagnostic(diagnostic));
    }
  }
}

void set_log_interface(const std::string& interface) { current_interface = interface; }

void log_for_rule(const std::string& rule, const std::string& message) {
  current_rule = rule;
  spdlog::info("{}", message);
  current_rule.clear();
}

}  // namespace nettoll
