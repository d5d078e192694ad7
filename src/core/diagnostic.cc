// SPDX-License-Identifier: Apache-2.0
#include "core/diagnostic.h"

namespace nettoll {

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string text = diagnostic.file;
  if (diagnostic.mark.line > 0) {
    text += ":" + std::to_string(diagnostic.mark.line) + ":" + std::to_string(diagnostic.mark.column);
  }
  text += ": ";
  if (diagnostic.severity == Diagnostic::Severity::warning) text += "warning: ";
  return text + diagnostic.message;
}

}  // namespace nettoll
