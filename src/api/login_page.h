// SPDX-License-Identifier: Apache-2.0
// The page a browser gets from the dashboard over TCP without a session:
// how to get in (`nettoll dashboard` on the machine prints a login link).
#pragma once

#include "api/api_request.h"

namespace nettoll {

// The login page as an HTML response with `status` (401).
ApiResponse login_page(int status);

}  // namespace nettoll
