// SPDX-License-Identifier: Apache-2.0
// accounting_senders COUNT SECONDS HOST PORT: forks COUNT processes, each
// holding one UDP socket and sending a 100-byte datagram to HOST:PORT once
// a second for SECONDS, prints "sending from COUNT processes" once all
// have started, and exits when they are done. The accounting benchmark runs
// it in its sandbox so the daemon has COUNT live processes to count.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kMaxProcesses = 5000;
constexpr int kMaxSeconds = 600;

[[noreturn]] void send_every_second(int seconds, const sockaddr_in& to) {
  // Goes with the parent, whatever ends it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) _exit(1);
  char payload[100] = {};
  for (int second = 0; second < seconds; ++second) {
    (void)sendto(fd, payload, sizeof(payload), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    sleep(1);
  }
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: accounting_senders COUNT SECONDS HOST PORT\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  const int seconds = std::atoi(argv[2]);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[4])));
  if (count < 1 || count > kMaxProcesses || seconds < 1 || seconds > kMaxSeconds ||
      inet_pton(AF_INET, argv[3], &to.sin_addr) != 1) {
    std::fprintf(stderr, "accounting_senders: COUNT 1-%d, SECONDS 1-%d, HOST an IPv4 address\n",
                 kMaxProcesses, kMaxSeconds);
    return 2;
  }
  int started = 0;
  for (; started < count; ++started) {
    const pid_t child = fork();
    if (child < 0) break;
    if (child == 0) send_every_second(seconds, to);
  }
  std::printf("sending from %d processes\n", started);
  std::fflush(stdout);
  int failed = started < count ? 1 : 0;
  for (int status = 0; wait(&status) > 0;) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  return failed;
}
