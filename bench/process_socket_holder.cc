// SPDX-License-Identifier: Apache-2.0
// process_socket_holder COUNT: opens COUNT UDP sockets, each bound to its own
// port, prints "holding COUNT sockets" and waits until it is killed. The
// process benchmark runs a renamed copy that a rule matches, so the daemon's
// classifier has COUNT sockets of a matched process to keep track of (the
// u32 fallback, one port filter per local port, most of all).
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Descriptors beyond the sockets: stdin/out/err and what libc may open.
constexpr rlim_t kSpareDescriptors = 64;
// Killed by the benchmark long before; this only bounds an orphan's life.
constexpr unsigned kLifetimeSeconds = 600;

bool raise_descriptor_limit(rlim_t sockets) {
  const rlimit wanted{sockets + kSpareDescriptors, sockets + kSpareDescriptors};
  rlimit current{};
  if (getrlimit(RLIMIT_NOFILE, &current) == 0 && current.rlim_cur >= wanted.rlim_cur) return true;
  return setrlimit(RLIMIT_NOFILE, &wanted) == 0;
}

// A UDP socket bound to a port of the kernel's choosing; -1 on failure.
int bound_udp_socket() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = 0;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 0;
  if (count <= 0) {
    std::fprintf(stderr, "usage: %s COUNT\n", argv[0]);
    return 2;
  }
  if (!raise_descriptor_limit(static_cast<rlim_t>(count))) {
    std::fprintf(stderr, "cannot raise RLIMIT_NOFILE to %ld: %s\n", count, std::strerror(errno));
    return 1;
  }
  for (long i = 0; i < count; ++i) {
    if (bound_udp_socket() < 0) {
      std::fprintf(stderr, "socket %ld of %ld: %s\n", i + 1, count, std::strerror(errno));
      return 1;
    }
  }
  std::printf("holding %ld sockets\n", count);
  std::fflush(stdout);
  alarm(kLifetimeSeconds);
  for (;;) pause();
}
