// SPDX-License-Identifier: Apache-2.0
// What the HTTP API decides from request bytes before a handler runs, on
// arbitrary input: the body parser (size limit, JSON), the field checker on
// whatever JSON it returns, and the Host check against DNS rebinding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/request_checks.h"
#include "core/json_fields.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = nettoll::parse_body(text);
  if (!body) {
    check(!body.error().empty(), "a refused body has a message");
  } else {
    check(size <= nettoll::kMaxBodyBytes, "a body over the limit is refused");
    auto known = nettoll::check_known_fields(*body, {"ip", "upload", "download", "duration", "id"});
    if (!known) check(!known.error().empty(), "a field problem has a message");
    if (!body->is_object()) check(!known, "only an object passes the field check");
    if (known) {
      auto ip = nettoll::string_field(*body, "ip");
      if (!ip) check(!ip.error().empty(), "a field of the wrong type has a message");
    }
  }
  (void)nettoll::is_loopback_host(text);
  return 0;
}
