// SPDX-License-Identifier: Apache-2.0
// What the HTTP API decides from request bytes before a handler runs, on
// arbitrary input: the body parser (size limit, JSON), the field checker on
// whatever JSON it returns, and the Host check against DNS rebinding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/body_fields.h"
#include "api/request_checks.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = nettoll::parse_body(text);
  if (!body) {
    check(!body.error().empty(), "a refused body has a message");
  } else {
    check(size <= nettoll::kMaxBodyBytes, "a body over the limit is refused");
    using nettoll::FieldType;
    auto problem = nettoll::check_fields(*body, {{"ip", FieldType::string, true},
                                                 {"upload", FieldType::string_or_number},
                                                 {"download", FieldType::string_or_number},
                                                 {"duration", FieldType::string},
                                                 {"clients", FieldType::array},
                                                 {"options", FieldType::object},
                                                 {"enabled", FieldType::boolean}});
    if (problem) check(!problem->empty(), "a field problem has a message");
    if (!body->is_object()) check(problem.has_value(), "only an object passes the field check");
  }
  (void)nettoll::is_loopback_host(text);
  return 0;
}
