// SPDX-License-Identifier: Apache-2.0
// What nettoll reads back from rTorrent, on arbitrary bytes: the SCGI reply
// framing, then the XML-RPC reply parsers (pugixml underneath) on both the
// raw bytes and the SCGI body. Never a crash; every refusal has a message; a
// reply that yields an integer is also a success.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "clients/scgi_transport.h"
#include "clients/xmlrpc.h"
#include "fuzz_check.h"

namespace {

void check_reply(std::string_view reply) {
  using nettoll::fuzz::check;
  const auto integer = nettoll::parse_xmlrpc_integer(reply);
  const auto succeeded = nettoll::parse_xmlrpc_success(reply);
  if (!integer) check(!integer.error().empty(), "a refused integer reply has a message");
  if (!succeeded) check(!succeeded.error().empty(), "a refused reply has a message");
  check(!integer || succeeded, "an integer reply is a successful reply");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  // An exact-size copy, so ASan sees any read past the reply.
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  check_reply(bytes);
  const auto body = nettoll::parse_scgi_reply(bytes);
  if (!body) {
    check(!body.error().empty(), "a refused SCGI reply has a message");
    return 0;
  }
  check(body->size() + 4 <= size, "the body is part of the reply");
  check_reply(*body);
  return 0;
}
