// SPDX-License-Identifier: Apache-2.0
// Diagnostic: one problem found in a config file, with where it is.
#pragma once

#include <string>

#include "core/config.h"

namespace nettoll {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string file;
  SourceMark mark;  // 1-based; line 0 = the problem concerns the whole file
  std::string message;
};

// "FILE:LINE:COL: message", "FILE:LINE:COL: warning: message", or
// "FILE: message" when the diagnostic has no line.
std::string format_diagnostic(const Diagnostic& diagnostic);

}  // namespace nettoll
