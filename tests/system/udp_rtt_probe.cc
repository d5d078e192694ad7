// SPDX-License-Identifier: Apache-2.0
// udp_rtt_probe: a UDP ping for tests that need a process of their own
// whose round-trip time they measure (ICMP cannot be classified by port).
//   udp_rtt_probe server PORT            echoes datagrams until killed
//   udp_rtt_probe client HOST PORT COUNT INTERVAL_MS
//       sends COUNT probes and prints "median_ms p90_ms lost"
// HOST is an IPv4 or IPv6 literal. A probe not answered within a second is lost.
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int serve(const char* port) {
  const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(uint16_t(std::atoi(port)));
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    std::perror("udp_rtt_probe server");
    return 1;
  }
  std::printf("listening\n");
  std::fflush(stdout);
  char buffer[64];
  for (;;) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    const ssize_t n = recvfrom(fd, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&peer), &length);
    if (n > 0) sendto(fd, buffer, size_t(n), 0, reinterpret_cast<sockaddr*>(&peer), length);
  }
}

int probe(const char* host, const char* port, int count, int interval_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* target = nullptr;
  if (getaddrinfo(host, port, &hints, &target) != 0) {
    std::fprintf(stderr, "udp_rtt_probe: bad address %s\n", host);
    return 1;
  }
  const int fd = socket(target->ai_family, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, target->ai_addr, target->ai_addrlen) != 0) {
    std::perror("udp_rtt_probe client");
    return 1;
  }
  freeaddrinfo(target);
  std::vector<double> rtts;
  int lost = 0;
  for (int i = 0; i < count; ++i) {
    const auto sent = Clock::now();
    send(fd, &i, sizeof(i), 0);
    for (;;) {
      pollfd waiting{fd, POLLIN, 0};
      if (poll(&waiting, 1, 1000) <= 0) {
        ++lost;
        break;
      }
      int answer = -1;
      if (recv(fd, &answer, sizeof(answer), 0) == sizeof(answer) && answer == i) {
        rtts.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        break;
      }
    }
    std::this_thread::sleep_until(sent + std::chrono::milliseconds(interval_ms));
  }
  std::sort(rtts.begin(), rtts.end());
  const auto at = [&](double q) { return rtts.empty() ? -1.0 : rtts[size_t(q * double(rtts.size() - 1))]; };
  std::printf("%.3f %.3f %d\n", at(0.5), at(0.9), lost);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "server") == 0) return serve(argv[2]);
  if (argc == 6 && std::strcmp(argv[1], "client") == 0) {
    return probe(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
  }
  std::fprintf(stderr, "usage: udp_rtt_probe server PORT | client HOST PORT COUNT INTERVAL_MS\n");
  return 1;
}
