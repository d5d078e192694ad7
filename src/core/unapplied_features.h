// Keys this build validates but does not act on yet: `nettoll check` warns
// about them so no config believes it is protected. Issue 13's daemon wiring
// (reservations API, client limiter, bulk ceils) removes entries from here.
#pragma once

#include <vector>

#include "core/config.h"
#include "core/diagnostic.h"

namespace nettoll {

// One warning for `reservations:` and one per `bulk: true` rule.
std::vector<Diagnostic> unapplied_feature_warnings(const Config& config);

}  // namespace nettoll
