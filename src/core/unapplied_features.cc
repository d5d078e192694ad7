#include "core/unapplied_features.h"

namespace nettoll {

std::vector<Diagnostic> unapplied_feature_warnings(const Config& config) {
  std::vector<Diagnostic> warnings;
  auto warn = [&](SourceMark mark, std::string message) {
    warnings.push_back(Diagnostic{Diagnostic::Severity::warning, config.path, mark, std::move(message)});
  };
  if (config.reservations) {
    warn(config.reservations->mark,
         "reservations: validated but not applied yet: this build's daemon neither takes reservations nor "
         "changes the torrent clients' limits");
  }
  for (const ProcessRule& rule : config.processes) {
    if (rule.bulk) {
      warn(rule.mark, "process '" + rule.name +
                          "': bulk: validated but not applied yet: no reservation squeezes this rule in this build");
    }
  }
  return warnings;
}

}  // namespace nettoll
