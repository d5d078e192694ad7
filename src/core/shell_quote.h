// SPDX-License-Identifier: Apache-2.0
// Python's shlex.quote and shlex.join: how TrafficToll turns a list
// attribute (a process's arguments) into the text its regex is matched on.
#pragma once

#include <string>
#include <vector>

namespace nettoll {

// `argument` unchanged when it holds only ASCII letters, digits and
// @%+=:,./-_ ; else in single quotes, each ' written as '"'"'. The empty
// string is ''.
std::string shell_quote(const std::string& argument);

// The arguments quoted as shell_quote does, joined with single spaces.
std::string shell_join(const std::vector<std::string>& arguments);

}  // namespace nettoll
