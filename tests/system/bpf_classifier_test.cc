// SPDX-License-Identifier: Apache-2.0
// The BPF classifier with real sockets and real traffic: sockets get the rule
// of the task that creates them, tc programs send a rule's packets to its HTB
// class both ways (IPv4 and IPv6, TCP and UDP), and running sockets can be
// re-tagged from userspace.
//
// Safety: the socket program is attached only to a cgroup this test creates
// (never the root, where it would see every socket of the machine), and only
// the test's own children run in it; tc programs only on devices inside the
// testbed's namespaces.
#include "kernel/bpf_classifier.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "kernel/proc_connector.h"
#include "tc_text.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kLimitedRule = 1;
constexpr uint32_t kLimitedPriority = 0x7a0010;  // class 7a:10
constexpr double kLimitedCeilBits = 5e6;

// Where cgroup v2 is mounted (/sys/fs/cgroup/unified here, /sys/fs/cgroup on
// most machines), or "".
std::string cgroup_v2_mount() {
  std::ifstream mounts("/proc/self/mounts");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream words(line);
    std::string device, path, type;
    words >> device >> path >> type;
    if (type == "cgroup2") return path;
  }
  return "";
}

bool write_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ::close(fd);
  return written;
}

// A cgroup v2 directory of the test's own, emptied and removed on exit.
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& parent) : root_(cgroup_v2_mount()) {
    static int counter = 0;
    const std::string base = parent.empty() ? root_ : parent;
    if (root_.empty()) return;
    const std::string path =
        base + "/nettoll-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    if (::mkdir(path.c_str(), 0755) == 0) path_ = path;
  }
  ~TestCgroup() {
    if (path_.empty()) return;
    // Bounded: the test's children are killed before this runs.
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::ifstream procs(path_ + "/cgroup.procs");
      for (std::string pid; std::getline(procs, pid);) write_file(root_ + "/cgroup.procs", pid);
      if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
      std::this_thread::sleep_for(milliseconds(20));
    }
    std::fprintf(stderr, "cannot remove test cgroup %s\n", path_.c_str());
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  const std::string& path() const { return path_; }  // "" when it could not be made

 private:
  std::string root_;
  std::string path_;
};

int take_socket_of(pid_t pid, int their_fd) {
  const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return -1;
  const int fd = int(::syscall(SYS_pidfd_getfd, pidfd, their_fd, 0));
  ::close(pidfd);
  return fd;
}

// A forked child that joins `cgroup`, names itself `comm`, waits for go(),
// then opens an IPv4 TCP socket and a unix socket and sleeps until killed.
class SocketChild {
 public:
  SocketChild(const std::string& cgroup, const std::string& comm) {
    int to_child[2];
    int to_parent[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(to_parent, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string self = std::to_string(getpid());
      if (!cgroup.empty() && !write_file(cgroup + "/cgroup.procs", self)) _exit(1);
      ::prctl(PR_SET_NAME, comm.c_str());
      char go = 0;
      if (::read(to_child[0], &go, 1) != 1) _exit(1);
      int fds[2] = {::socket(AF_INET, SOCK_STREAM, 0), ::socket(AF_UNIX, SOCK_STREAM, 0)};
      if (::write(to_parent[1], fds, sizeof(fds)) != sizeof(fds)) _exit(1);
      ::pause();
      _exit(0);
    }
    go_ = to_child[1];
    reply_ = to_parent[0];
    ::close(to_child[0]);
    ::close(to_parent[1]);
  }
  ~SocketChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (go_ >= 0) ::close(go_);
    if (reply_ >= 0) ::close(reply_);
  }
  SocketChild(const SocketChild&) = delete;
  SocketChild& operator=(const SocketChild&) = delete;

  pid_t pid() const { return pid_; }

  // Lets the child open its sockets; their fd numbers in the child, or
  // nullopt when it failed.
  std::optional<std::pair<int, int>> go() const {
    if (::write(go_, "g", 1) != 1) return std::nullopt;
    int fds[2] = {-1, -1};
    if (::read(reply_, fds, sizeof(fds)) != sizeof(fds) || fds[0] < 0) return std::nullopt;
    return std::pair{fds[0], fds[1]};
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  int reply_ = -1;
};

class BpfClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (BPF, cgroups)";
    auto loaded = BpfClassifier::load();
    ASSERT_TRUE(loaded) << loaded.error();
    classifier_.emplace(std::move(loaded).value());
  }

  // The rule the child's inet socket got when it was created.
  std::optional<uint32_t> rule_of_new_socket(SocketChild& child) {
    auto fds = child.go();
    EXPECT_TRUE(fds) << "the child did not open its sockets";
    if (!fds) return std::nullopt;
    const int fd = take_socket_of(child.pid(), fds->first);
    EXPECT_GE(fd, 0) << "pidfd_getfd: " << std::strerror(errno);
    std::optional<uint32_t> rule = classifier_->socket_rule(fd);
    ::close(fd);
    return rule;
  }

  std::optional<BpfClassifier> classifier_;
};

TEST_F(BpfClassifierTest, NewSocketsGetTheRuleOfTheirCreatorInLookupOrder) {
  TestCgroup cgroup("");
  ASSERT_NE(cgroup.path(), "") << "cannot create a cgroup v2 directory";
  TestCgroup inner(cgroup.path());
  ASSERT_NE(inner.path(), "");
  ASSERT_TRUE(classifier_->attach_cgroup(cgroup.path()));
  auto outer_id = cgroup_v2_id(cgroup.path());
  auto inner_id = cgroup_v2_id(inner.path());
  ASSERT_TRUE(outer_id && inner_id);

  ASSERT_TRUE(classifier_->set_uid_rule(0, 4));
  ASSERT_TRUE(classifier_->set_comm_rule("ntcomm", 2));
  {
    SocketChild child(cgroup.path(), "ntplain");
    EXPECT_EQ(rule_of_new_socket(child), 4u) << "uid";
  }
  {
    SocketChild child(cgroup.path(), "ntcomm");
    EXPECT_EQ(rule_of_new_socket(child), 2u) << "comm before uid";
  }
  ASSERT_TRUE(classifier_->set_cgroup_rule(*outer_id, 3));
  {
    SocketChild child(inner.path(), "ntcomm");
    EXPECT_EQ(rule_of_new_socket(child), 3u) << "an ancestor cgroup's rule, before comm";
  }
  ASSERT_TRUE(classifier_->set_cgroup_rule(*inner_id, 5));
  {
    SocketChild child(inner.path(), "ntcomm");
    EXPECT_EQ(rule_of_new_socket(child), 5u) << "the deepest cgroup's rule";
  }
  {
    SocketChild child(inner.path(), "ntcomm");
    ASSERT_TRUE(classifier_->set_pid_rule(child.pid(), 1));
    EXPECT_EQ(rule_of_new_socket(child), 1u) << "pid before cgroup";
    classifier_->erase_pid(child.pid());
  }
  {
    SocketChild child(inner.path(), "ntcomm");
    ASSERT_TRUE(classifier_->set_pid_rule(child.pid(), 0));
    EXPECT_EQ(rule_of_new_socket(child), std::nullopt) << "a pid mapped to 0 is exempt";
  }
  classifier_->erase_cgroup(*inner_id);
  classifier_->erase_cgroup(*outer_id);
  classifier_->erase_comm("ntcomm");
  classifier_->erase_uid(0);
  {
    SocketChild child(cgroup.path(), "ntcomm");
    EXPECT_EQ(rule_of_new_socket(child), std::nullopt) << "no rule left";
  }
}

TEST_F(BpfClassifierTest, TagsSocketsFromUserspace) {
  const int tcp = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_TRUE(classifier_->tag_socket_fd(tcp, 9));
  EXPECT_EQ(classifier_->socket_rule(tcp), 9u);
  EXPECT_EQ(classifier_->socket_rule(udp), std::nullopt);
  ::close(tcp);
  ::close(udp);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_FALSE(classifier_->tag_socket_fd(pipe_fds[0], 9)) << "a pipe is not a socket";
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);

  SocketChild child("", "ntplain");  // no cgroup: nothing tags it at creation
  auto fds = child.go();
  ASSERT_TRUE(fds);
  auto tagged = classifier_->tag_process_sockets(child.pid(), 7);
  ASSERT_TRUE(tagged) << tagged.error();
  EXPECT_EQ(*tagged, 1u) << "the TCP socket, not the unix one";
  const int taken = take_socket_of(child.pid(), fds->first);
  EXPECT_EQ(classifier_->socket_rule(taken), 7u);
  ::close(taken);

  auto missing = classifier_->tag_process_sockets(999'999'999, 7);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("process 999999999"), std::string::npos) << missing.error();
  EXPECT_FALSE(classifier_->set_rule_classes(0, 1, 1));
  EXPECT_FALSE(classifier_->set_rule_classes(kMaxBpfRules, 1, 1));
}

// BPF_F_CLONE on the socket map: a socket accept() returns inherits the
// listener's rule, so servers are classified although sock_create never runs
// for accepted sockets.
TEST_F(BpfClassifierTest, AcceptedSocketsInheritTheListenersRule) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_TRUE(classifier_->tag_socket_fd(listener, 6));
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(classifier_->socket_rule(accepted), 6u);
  EXPECT_EQ(classifier_->socket_rule(client), std::nullopt);
  ::close(accepted);
  ::close(client);
  ::close(listener);
}

// The filters go away with the classifier, from whichever namespace the
// destructor runs in; a clsact that was there before stays, ours goes.
// Forks /bin/true and waits for it; its pid.
pid_t run_true() {
  const pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/true", "true", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::waitpid(child, nullptr, 0);
  return child;
}

TEST_F(BpfClassifierTest, ProcessEventFilterPassesForksOfMatchedParentsOnly) {
  auto connector = ProcConnector::open(ExitEvents::dropped);
  ASSERT_TRUE(connector) << connector.error();
  auto filtered = classifier_->filter_process_events(connector->fd());
  ASSERT_TRUE(filtered) << filtered.error();
  const pid_t unmatched = run_true();  // this test process has no rule
  ASSERT_TRUE(classifier_->set_pid_rule(::getpid(), 1));
  const pid_t matched = run_true();
  classifier_->erase_pid(::getpid());
  std::vector<ProcEvent> events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd readable{connector->fd(), POLLIN, 0};
    if (::poll(&readable, 1, 50) <= 0) continue;
    auto batch = connector->read_events();
    ASSERT_TRUE(batch) << batch.error();
    events.insert(events.end(), batch->events.begin(), batch->events.end());
  }
  const auto seen = [&](ProcEvent::Kind kind, pid_t pid) {
    return std::any_of(events.begin(), events.end(),
                       [&](const ProcEvent& e) { return e.kind == kind && e.pid == pid; });
  };
  EXPECT_FALSE(seen(ProcEvent::fork, unmatched)) << "fork of a process without a rule";
  EXPECT_TRUE(seen(ProcEvent::exec, unmatched));
  EXPECT_TRUE(seen(ProcEvent::fork, matched)) << "fork of a process with a rule";
  EXPECT_TRUE(seen(ProcEvent::exec, matched));
  EXPECT_FALSE(seen(ProcEvent::exit, matched));
}

TEST_F(BpfClassifierTest, DetachRestoresTheHooks) {
  Testbed testbed;
  ASSERT_EQ(testbed.setup_error(), "");
  ASSERT_EQ(testbed.run_in_a("tc qdisc add dev vA clsact").exit_status, 0);
  {
    ScopedNetworkNamespace inside_a(testbed.namespace_a());
    ASSERT_EQ(inside_a.error(), "");
    ASSERT_TRUE(classifier_->attach_tc(int(if_nametoindex("vA")), TcDirection::egress));
    ASSERT_TRUE(classifier_->attach_tc(int(if_nametoindex("vA")), TcDirection::ingress));
  }
  {
    ScopedNetworkNamespace inside_b(testbed.namespace_b());
    ASSERT_EQ(inside_b.error(), "");
    ASSERT_TRUE(classifier_->attach_tc(int(if_nametoindex("vB")), TcDirection::ingress));
    ASSERT_TRUE(classifier_->attach_tc(int(if_nametoindex("vB")), TcDirection::egress));
  }
  const std::string pref = "pref " + std::to_string(kClassifierFilterPref) + " bpf";
  for (const char* hook : {"egress", "ingress"}) {
    EXPECT_NE(testbed.run_in_a(std::string("tc filter show dev vA ") + hook).output.find(pref),
              std::string::npos);
    EXPECT_NE(testbed.run_in_b(std::string("tc filter show dev vB ") + hook).output.find(pref),
              std::string::npos);
  }
  classifier_.reset();
  EXPECT_EQ(testbed.run_in_a("tc filter show dev vA egress; tc filter show dev vA ingress").output, "");
  EXPECT_NE(testbed.run_in_a("tc qdisc show dev vA").output.find("clsact"), std::string::npos);
  EXPECT_EQ(testbed.run_in_b("tc qdisc show dev vB").output.find("clsact"), std::string::npos);
}

TEST(BpfClassifierLoadTest, SaysWhyWithoutPrivileges) {
  if (!running_as_root()) GTEST_SKIP() << "needs root to drop to nobody";
  int reply[2];
  ASSERT_EQ(::pipe(reply), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(1);
    auto loaded = BpfClassifier::load();
    const std::string message = loaded ? "loaded" : loaded.error();
    (void)!::write(reply[1], message.data(), message.size());
    _exit(0);
  }
  ::close(reply[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(reply[0], buffer, sizeof(buffer))) > 0;) message.append(buffer, size_t(n));
  ::close(reply[0]);
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(message.rfind("cannot load the BPF classifier: Operation not permitted", 0), 0u) << message;
}

// Traffic: the testbed's namespace A holds the shaped host (vA with an egress
// HTB, and an IFB with the ingress HTB); B holds the iperf3 servers. Both HTBs
// are 7a: with 7a:1 (100 Mbit/s) over 7a:2 (default) and 7a:10 (1..5 Mbit/s).
class ClassifierTrafficTest : public BpfClassifierTest {
 protected:
  void SetUp() override {
    BpfClassifierTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    iperf3_ = run_command("command -v iperf3").output;
    if (iperf3_.empty()) GTEST_SKIP() << "iperf3 is not installed";
    iperf3_.erase(iperf3_.find_last_not_of('\n') + 1);
    testbed_ = std::make_unique<Testbed>(
        UplinkFrames::super_packets);  // as before: its hand-made HTB does not cap GRO
    ASSERT_EQ(testbed_->setup_error(), "");
    cgroup_ = std::make_unique<TestCgroup>("");
    ASSERT_NE(cgroup_->path(), "");
    ASSERT_TRUE(run_in_a("ip link add ntifb type ifb && ip link set ntifb up"));
    ASSERT_TRUE(add_htb("vA"));
    ASSERT_TRUE(add_htb("ntifb"));
    {
      ScopedNetworkNamespace inside(testbed_->namespace_a());
      ASSERT_EQ(inside.error(), "");
      const int va = int(if_nametoindex("vA"));
      const int ifb = int(if_nametoindex("ntifb"));
      ASSERT_TRUE(va > 0 && ifb > 0);
      auto egress = classifier_->attach_tc(va, TcDirection::egress);
      ASSERT_TRUE(egress) << egress.error();
      auto ingress = classifier_->attach_tc(va, TcDirection::ingress);
      ASSERT_TRUE(ingress) << ingress.error();
      ASSERT_TRUE(classifier_->set_ifb(ifb));
    }
    auto attached = classifier_->attach_cgroup(cgroup_->path());
    ASSERT_TRUE(attached) << attached.error();
    ASSERT_TRUE(classifier_->set_rule_classes(kLimitedRule, kLimitedPriority, kLimitedPriority));
    ASSERT_TRUE(classifier_->set_comm_rule("ntbulk", kLimitedRule));
    bin_ = fs::temp_directory_path() / ("nettoll-bpf-test-" + std::to_string(getpid()));
    fs::create_directories(bin_);
    fs::copy_file(iperf3_, bin_ / "ntbulk", fs::copy_options::overwrite_existing);
    for (const char* port : {"5201", "5202"}) {
      servers_.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{"nsenter", "--net=/run/netns/" + testbed_->namespace_b(), iperf3_, "-s",
                                   "--forceflush", "-p", port}));
      ASSERT_TRUE(servers_.back()->wait_for_output("Server listening", milliseconds(3000)));
    }
  }

  void TearDown() override {
    servers_.clear();
    if (!bin_.empty()) fs::remove_all(bin_);
  }

  bool run_in_a(const std::string& command) {
    auto result = testbed_->run_in_a(command);
    EXPECT_EQ(result.exit_status, 0) << command << ": " << result.output;
    return result.exit_status == 0;
  }

  bool add_htb(const std::string& device) {
    const std::string add = "tc class add dev " + device + " parent ";
    return run_in_a("tc qdisc add dev " + device + " root handle 7a: htb default 2") &&
           run_in_a(add + "7a: classid 7a:1 htb rate 100mbit ceil 100mbit") &&
           run_in_a(add + "7a:1 classid 7a:2 htb rate 10mbit ceil 100mbit") &&
           run_in_a(add + "7a:1 classid 7a:10 htb rate 1mbit ceil 5mbit");
  }

  uint64_t sent_bytes(const std::string& device, const std::string& class_id) {
    auto shown = testbed_->run_in_a("tc -s class show dev " + device);
    auto classes = parse_tc_classes(shown.output);
    return classes.count(class_id) ? classes[class_id].sent_bytes : 0;
  }

  // An iperf3 client in namespace A and the test cgroup, as `program`.
  std::unique_ptr<ChildProcess> start_client(const std::string& program, const std::string& arguments) {
    const std::string script = "echo $$ > " + cgroup_->path() +
                               "/cgroup.procs && exec nsenter --net=/run/netns/" + testbed_->namespace_a() +
                               " " + program + " --forceflush " + arguments;
    return std::make_unique<ChildProcess>(std::vector<std::string>{"sh", "-c", script});
  }

  struct Rates {
    double limited_bits = 0;  // class 7a:10, on the wire
    double other_bits = 0;    // class 7a:2
  };

  // Each counter with the time it was read: the middle of its `tc` call,
  // which alone can take most of a second on a loaded machine.
  struct Sample {
    Clock::time_point limited_at, other_at;
    uint64_t limited_bytes = 0;
    uint64_t other_bytes = 0;
  };

  static Clock::time_point middle(Clock::time_point from, Clock::time_point to) {
    return from + (to - from) / 2;
  }

  Sample sample(const std::string& device) {
    Sample taken;
    const auto start = Clock::now();
    taken.limited_bytes = sent_bytes(device, "7a:10");
    const auto between = Clock::now();
    taken.other_bytes = sent_bytes(device, "7a:2");
    taken.limited_at = middle(start, between);
    taken.other_at = middle(between, Clock::now());
    return taken;
  }

  // Runs ntbulk (rule 1) and a plain iperf3 at once for 3 s against B
  // (`server`), with `extra` iperf3 options, and reads what each class passed
  // in the steady state (from 1 s to 2.8 s, past connection setup).
  Rates run_pair(const std::string& server, const std::string& extra, const std::string& device) {
    const auto start = Clock::now();
    auto limited = start_client((bin_ / "ntbulk").string(), "-c " + server + " -p 5201 -t 3 " + extra);
    auto other = start_client(iperf3_, "-c " + server + " -p 5202 -t 3 " + extra);
    std::this_thread::sleep_until(start + milliseconds(1000));
    const Sample first = sample(device);
    std::this_thread::sleep_until(start + milliseconds(2800));
    const Sample second = sample(device);
    EXPECT_EQ(limited->wait_for_exit(milliseconds(10000)), 0) << limited->output();
    EXPECT_EQ(other->wait_for_exit(milliseconds(10000)), 0) << other->output();
    const double seconds = std::chrono::duration<double>(second.limited_at - first.limited_at).count();
    const double other_seconds = std::chrono::duration<double>(second.other_at - first.other_at).count();
    Rates rates;
    rates.limited_bits = double(second.limited_bytes - first.limited_bytes) * 8 / seconds;
    rates.other_bits = double(second.other_bytes - first.other_bytes) * 8 / other_seconds;
    std::printf("%s %s on %s: limited %.2f Mbit/s, other %.2f Mbit/s (over %.2f s)\n", server.c_str(),
                extra.c_str(), device.c_str(), rates.limited_bits / 1e6, rates.other_bits / 1e6, seconds);
    return rates;
  }

  void expect_limited(const Rates& rates) {
    EXPECT_LE(rates.limited_bits, kLimitedCeilBits * 1.1);
    EXPECT_GE(rates.limited_bits, kLimitedCeilBits * 0.8) << "the limited flow did not reach its class";
    EXPECT_GE(rates.other_bits, 20e6) << "the unregistered flow should get far more";
  }

  // A blocked rule (a quota's `then: block`) loses its packets in the tc
  // programs, counted as drops, while unruled traffic keeps flowing; unblocked,
  // its packets reach the class again.
  void expect_blocked_while_running(const std::string& device, const std::string& extra, bool ingress) {
    auto limited = start_client((bin_ / "ntbulk").string(), "-c 10.77.0.2 -p 5201 -t 10 " + extra);
    auto other = start_client(iperf3_, "-c 10.77.0.2 -p 5202 -t 10 " + extra);
    ASSERT_TRUE(limited->wait_for_output("sec", milliseconds(3000))) << limited->output();
    ASSERT_TRUE(classifier_->set_rule_classes(kLimitedRule, kLimitedPriority, kLimitedPriority, true));
    // What 7a:10 queued before the block drains at its 5 Mbit/s ceil (the
    // IFB's fifo holds seconds of it): wait until its counter stands still.
    uint64_t drained = sent_bytes(device, "7a:10");
    for (const auto deadline = Clock::now() + milliseconds(5000); Clock::now() < deadline;) {
      std::this_thread::sleep_for(milliseconds(300));
      const uint64_t now = sent_bytes(device, "7a:10");
      if (now == drained) break;
      drained = now;
    }
    const uint64_t limited_before = sent_bytes(device, "7a:10");
    const uint64_t other_before = sent_bytes(device, "7a:2");
    const auto window_start = Clock::now();
    std::this_thread::sleep_for(milliseconds(1500));
    const uint64_t limited_after = sent_bytes(device, "7a:10");
    const uint64_t other_after = sent_bytes(device, "7a:2");
    const double seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
    const RuleTraffic traffic = classifier_->rule_traffic(kLimitedRule);
    ASSERT_TRUE(classifier_->set_rule_classes(kLimitedRule, kLimitedPriority, kLimitedPriority, false));
    std::printf("blocked (%s): 7a:10 passed %lu bytes, 7a:2 %.2f Mbit/s, drops egress %lu ingress %lu\n",
                device.c_str(), static_cast<unsigned long>(limited_after - limited_before),
                double(other_after - other_before) * 8 / seconds / 1e6,
                static_cast<unsigned long>(traffic.egress_drops),
                static_cast<unsigned long>(traffic.ingress_drops));
    EXPECT_EQ(limited_after, limited_before) << "a blocked rule's packets reached its class";
    EXPECT_GT(ingress ? traffic.ingress_drops : traffic.egress_drops, 0u);
    EXPECT_GE(double(other_after - other_before) * 8 / seconds, 20e6) << "other traffic should flow on";
    other->wait_for_exit(milliseconds(15000));
    limited->wait_for_exit(milliseconds(15000));
  }

  std::string iperf3_;
  fs::path bin_;
  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<TestCgroup> cgroup_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
};

TEST_F(ClassifierTrafficTest, UploadIsLimitedIpv4) {
  expect_limited(run_pair("10.77.0.2", "", "vA"));
  EXPECT_GT(classifier_->rule_traffic(kLimitedRule).egress_bytes, 0u);
}

TEST_F(ClassifierTrafficTest, UploadIsLimitedIpv6) { expect_limited(run_pair("fd77::2", "", "vA")); }

TEST_F(ClassifierTrafficTest, DownloadIsLimitedIpv4) {
  expect_limited(run_pair("10.77.0.2", "-R", "ntifb"));
  EXPECT_GT(classifier_->rule_traffic(kLimitedRule).ingress_bytes, 0u);
}

TEST_F(ClassifierTrafficTest, DownloadIsLimitedIpv6) { expect_limited(run_pair("fd77::2", "-R", "ntifb")); }

TEST_F(ClassifierTrafficTest, UdpDownloadIsLimited) {
  expect_limited(run_pair("10.77.0.2", "-R -u -b 40M", "ntifb"));
}

TEST_F(ClassifierTrafficTest, BlockedRuleDropsItsUpload) { expect_blocked_while_running("vA", "", false); }

TEST_F(ClassifierTrafficTest, BlockedRuleDropsItsDownload) {
  expect_blocked_while_running("ntifb", "-R", true);
}

// A flow that started before its process had a rule follows it once
// tag_process_sockets has run.
TEST_F(ClassifierTrafficTest, RunningFlowFollowsItsNewRule) {
  auto client = start_client(iperf3_, "-c 10.77.0.2 -p 5201 -t 5");
  ASSERT_TRUE(client->wait_for_output("sec", milliseconds(3000))) << client->output();
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(sent_bytes("vA", "7a:10"), 0u) << "no rule yet";

  const uint64_t limited_before = sent_bytes("vA", "7a:10");
  const auto tagged_at = Clock::now();
  auto tagged = classifier_->tag_process_sockets(client->pid(), kLimitedRule);
  ASSERT_TRUE(tagged) << tagged.error();
  EXPECT_EQ(*tagged, 2u) << "iperf3's control and data connections";
  std::optional<double> moved_after;
  while (Clock::now() - tagged_at < milliseconds(1000)) {
    if (sent_bytes("vA", "7a:10") > limited_before + 30000) {
      moved_after = std::chrono::duration<double>(Clock::now() - tagged_at).count();
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(moved_after) << "the flow did not reach 7a:10 within a second";
  std::printf("the running flow reached 7a:10 %.0f ms after tagging\n", *moved_after * 1000);

  std::this_thread::sleep_for(milliseconds(300));
  // Rates over the time that really passed between the readings (each
  // reading runs tc, which takes a while on a loaded machine).
  const uint64_t other_before = sent_bytes("vA", "7a:2");
  const uint64_t limited_mark = sent_bytes("vA", "7a:10");
  const auto window_start = Clock::now();
  std::this_thread::sleep_for(milliseconds(1000));
  const uint64_t other_after = sent_bytes("vA", "7a:2");
  const uint64_t limited_after = sent_bytes("vA", "7a:10");
  const double seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
  const double other_bits = double(other_after - other_before) * 8 / seconds;
  const double limited_bits = double(limited_after - limited_mark) * 8 / seconds;
  std::printf("after tagging: 7a:10 %.2f Mbit/s, 7a:2 %.2f Mbit/s\n", limited_bits / 1e6, other_bits / 1e6);
  EXPECT_LE(limited_bits, kLimitedCeilBits * 1.1);
  EXPECT_LT(other_bits, 1e6) << "the flow should have left the default class";
}

}  // namespace
}  // namespace nettoll::testing
