// SPDX-License-Identifier: Apache-2.0
#include "api/random_secret.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace nettoll {

Result<std::string> random_secret(size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size())) {
    return Error{std::string("cannot get random bytes: ") + std::strerror(errno)};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes);
  for (unsigned char b : random) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

}  // namespace nettoll
