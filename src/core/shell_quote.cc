// SPDX-License-Identifier: Apache-2.0
#include "core/shell_quote.h"

#include <algorithm>

namespace nettoll {
namespace {

// shlex's safe characters: \w under re.ASCII, and @%+=:,./-
bool is_safe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) return false;  // not ASCII: quoted, as Python does
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

}  // namespace

std::string shell_quote(const std::string& argument) {
  if (argument.empty()) return "''";
  if (std::all_of(argument.begin(), argument.end(), is_safe)) return argument;
  std::string quoted = "'";
  for (char c : argument) quoted += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return quoted + "'";
}

std::string shell_join(const std::vector<std::string>& arguments) {
  std::string joined;
  for (size_t i = 0; i < arguments.size(); ++i) joined += (i == 0 ? "" : " ") + shell_quote(arguments[i]);
  return joined;
}

}  // namespace nettoll
