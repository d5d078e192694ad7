// SPDX-License-Identifier: Apache-2.0
// XML-RPC as rTorrent speaks it: calls built and replies read with pugixml.
// Pure: the SCGI transport carries the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace nettoll {

using XmlRpcValue = std::variant<std::string, int64_t>;

// <methodCall> text for `method` with string (<string>) and integer (<i8>) params.
std::string format_xmlrpc_call(std::string_view method, const std::vector<XmlRpcValue>& params);

// The integer a <methodResponse> carries (<i8>, <i4> or <int>). Fails with
// the fault's message, or naming what was there instead.
Result<int64_t> parse_xmlrpc_integer(std::string_view reply);

// Succeeds on any non-fault <methodResponse>; fails with the fault's message.
Result<void> parse_xmlrpc_success(std::string_view reply);

}  // namespace nettoll
