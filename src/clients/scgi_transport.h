// SPDX-License-Identifier: Apache-2.0
// SCGI transport to rTorrent: one request per connection, over TCP
// (host:port) or a unix socket (an absolute path), with a deadline.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

// The SCGI request for `body`: a netstring of headers that begins with
// CONTENT_LENGTH (rTorrent rejects any other order), then the body.
std::string format_scgi_request(std::string_view body);

// The body of an SCGI reply ("Status: ...\r\n...\r\n\r\nBODY"). Fails on a
// reply without the blank line or with a status other than 200.
Result<std::string> parse_scgi_reply(std::string_view reply);

// Sends `body` to `address` and returns the reply's body. Fails on connect,
// I/O or parse errors, and when `timeout` passes first.
Result<std::string> scgi_call(const std::string& address, std::string_view body,
                              std::chrono::milliseconds timeout);

}  // namespace nettoll
