// SPDX-License-Identifier: Apache-2.0
#include "tun_tunnel.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "testbed.h"

namespace nettoll::testing {
namespace {

// Packets copied in one go from a descriptor before the other gets its turn.
constexpr int kPacketsPerTurn = 64;

}  // namespace

TunTunnel::TunTunnel(const std::string& namespace_a, const std::string& device_a,
                     const std::string& namespace_b, const std::string& device_b) {
  stop_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_ < 0) {
    error_ = "eventfd: " + std::string(std::strerror(errno));
    return;
  }
  fd_a_ = open_tun(namespace_a, device_a);
  if (fd_a_ >= 0) fd_b_ = open_tun(namespace_b, device_b);
  if (fd_b_ >= 0) copier_ = std::thread([this] { copy_packets(); });
}

TunTunnel::~TunTunnel() {
  if (copier_.joinable()) {
    const uint64_t one = 1;
    if (write(stop_, &one, sizeof one) != sizeof one) std::abort();  // the copier would never return
    copier_.join();
  }
  // A tun device that is not persistent goes with its last descriptor.
  for (const int fd : {fd_a_, fd_b_, stop_}) {
    if (fd >= 0) close(fd);
  }
}

// The device is created in the namespace of the descriptor's opener.
int TunTunnel::open_tun(const std::string& name_space, const std::string& device) {
  ScopedNetworkNamespace inside(name_space);
  if (!inside.error().empty()) {
    error_ = inside.error();
    return -1;
  }
  const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error_ = "cannot open /dev/net/tun: " + std::string(std::strerror(errno));
    return -1;
  }
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, device.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &request) != 0) {
    error_ = "cannot create tun device " + device + " in " + name_space + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

void TunTunnel::copy_packets() {
  pollfd watched[3] = {{fd_a_, POLLIN, 0}, {fd_b_, POLLIN, 0}, {stop_, POLLIN, 0}};
  for (;;) {
    if (poll(watched, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (watched[2].revents != 0) return;
    // A device that went (its namespace deleted) would wake poll forever.
    if ((watched[0].revents | watched[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) return;
    if (watched[0].revents & POLLIN) copy_ready_packets(fd_a_, fd_b_);
    if (watched[1].revents & POLLIN) copy_ready_packets(fd_b_, fd_a_);
  }
}

// Copies what `from` holds, at most kPacketsPerTurn packets.
void TunTunnel::copy_ready_packets(int from, int to) {
  char packet[65536];
  for (int i = 0; i < kPacketsPerTurn; ++i) {
    const ssize_t size = read(from, packet, sizeof packet);
    if (size < 0) return;  // EAGAIN: the queue is empty
    if (write(to, packet, static_cast<size_t>(size)) != size) failed_writes_.fetch_add(1);
  }
}

}  // namespace nettoll::testing
