// SPDX-License-Identifier: Apache-2.0
// The API's bearer token (`reservations: token-file`): read at start, or
// created with a random token (mode 0600) when the file does not exist yet.
#pragma once

#include <string>

#include "core/result.h"

namespace nettoll {

// The token in `path` (surrounding whitespace removed). Creates the file,
// and its directory with mode 0700, holding 32 random bytes in hex when it is
// missing. Fails when it cannot be read or created, or is empty.
Result<std::string> load_or_create_token(const std::string& path);

// The token within a token file's text: the first line, trimmed.
std::string token_from_text(const std::string& text);

}  // namespace nettoll
