// SPDX-License-Identifier: Apache-2.0
// The dashboard's files (index.html, login.html, dashboard.css,
// dashboard.js), embedded in the binary at build time by
// cmake/EmbedFiles.cmake, and the checks for serving files by name. Pure:
// no files are read here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nettoll {

struct EmbeddedFile {
  std::string_view name;   // "dashboard.js", without a directory
  std::string_view bytes;  // the file as it was at build time
};

// Every embedded file (generated into the build directory).
const std::vector<EmbeddedFile>& embedded_files();

// The embedded file called `name`, or nullptr when there is none.
const EmbeddedFile* find_embedded_file(std::string_view name);

// The Content-Type for a file called `name`, from its extension; UTF-8 for
// text. application/octet-stream for an extension it does not know.
std::string content_type_of(std::string_view name);

// True for a name that stays inside the directory it is looked up in:
// letters, digits, '.', '-' and '_' only, not starting with '.', so never
// "..", a path or a hidden file.
bool is_plain_file_name(std::string_view name);

}  // namespace nettoll
