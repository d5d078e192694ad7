// SPDX-License-Identifier: Apache-2.0
#include "api/api_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api/random_secret.h"
#include "api/request_checks.h"
#include "api/token_file.h"
#include "core/api_config_loader.h"

namespace nettoll {
namespace {

using namespace std::chrono_literals;

// How long a request may wait for the loop before it is answered 503.
constexpr auto kLoopTimeout = 10s;
// A client must send each part of its request, and read the answer, within
// this; a stalled one loses its connection and its thread.
constexpr time_t kIoTimeoutSeconds = 2;
constexpr size_t kTcpThreads = 4;
constexpr size_t kUnixThreads = 2;

// A status without a body (httplib's own refusals: 413, 414, 400 for a
// malformed request line) gets a JSON error; 413 becomes the 400 the API
// promises for bodies over 64 KiB.
httplib::Server::HandlerResponse explain_refusal(const httplib::Request&, httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  std::string message = "request refused (HTTP " + std::to_string(res.status) + ")";
  if (res.status == 400) message = "malformed HTTP request";
  if (res.status == 414) message = "request URI too long";
  if (res.status == 413) {
    res.status = 400;
    message = "request body is larger than 64 KiB";
  }
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
  return httplib::Server::HandlerResponse::Handled;
}

// "127.0.0.1:7657", "[::1]:7657": as a URL's authority.
std::string shown_address(const ListenAddress& address) {
  return address.host.find(':') == std::string::npos
             ? address.host + ":" + std::to_string(address.port)
             : "[" + address.host + "]:" + std::to_string(address.port);
}

// Login codes and session ids: 128 bits each.
constexpr size_t kSecretBytes = 16;

}  // namespace

Result<ApiServerOptions> api_server_options(const Config& config, const std::string& socket_path) {
  ApiServerOptions options;
  options.socket_path = socket_path;
  const std::optional<ApiConfig> api = tcp_api_of(config);
  if (!api) return options;
  auto address = parse_listen_address(api->listen);
  if (!address) return Error{"api: listen: " + address.error()};
  auto token = load_or_create_token(api->token_file);
  if (!token) return Error{token.error()};
  options.tcp = *address;
  options.token = *token;
  return options;
}

struct ApiServer::Listener {
  httplib::Server server;
  std::thread thread;
  ~Listener() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
};

ApiServer::ApiServer(std::unique_ptr<LoopHandoff> handoff, std::string token, std::string base_url)
    : handoff_(std::move(handoff)),
      token_(std::move(token)),
      login_(std::move(base_url), [] { return random_secret(kSecretBytes); }) {
  login_.register_routes(router_);
}

ApiServer::~ApiServer() {
  handoff_->close();
  listeners_.clear();
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(const ApiServerOptions& options) {
  auto handoff = LoopHandoff::create();
  if (!handoff) return Error{handoff.error()};
  const std::string base_url = options.tcp ? "http://" + shown_address(*options.tcp) : "";
  std::unique_ptr<ApiServer> api(new ApiServer(std::move(*handoff), options.token, base_url));
  if (auto listening = api->listen_unix(options.socket_path); !listening) return Error{listening.error()};
  if (options.tcp) {
    if (auto listening = api->listen_tcp(*options.tcp); !listening) return Error{listening.error()};
  }
  return api;
}

namespace {

void configure(httplib::Server& server, size_t threads) {
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_read_timeout(kIoTimeoutSeconds, 0);
  server.set_write_timeout(kIoTimeoutSeconds, 0);
  server.set_keep_alive_timeout(kIoTimeoutSeconds);
  // One request per connection. httplib 0.11 waits for a connection's next
  // request by polling it every 10 ms and sleeping 1 ms in between, so an
  // open dashboard (one request round a second) kept a server thread waking
  // ~180 times a second: most of what the page cost the daemon. A new
  // loopback connection per request costs far less, and no idle browser
  // connection holds one of the few threads.
  server.set_keep_alive_max_count(1);
  server.set_payload_max_length(kMaxBodyBytes);
  server.set_error_handler(httplib::Server::HandlerWithResponse(explain_refusal));
  // httplib's default adds SO_REUSEPORT, which would let a second daemon
  // bind the same port and take half the requests.
  server.set_socket_options([](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

// Waits (bounded) until the listener's thread accepts, so that stop() in the
// destructor always finds it running.
bool wait_until_running(const httplib::Server& server) {
  for (int i = 0; i < 2000 && !server.is_running(); ++i) std::this_thread::sleep_for(1ms);
  return server.is_running();
}

}  // namespace

Result<void> ApiServer::listen_unix(const std::string& path) {
  auto listener = std::make_unique<Listener>();
  configure(listener->server, kUnixThreads);
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!directory.empty() && std::filesystem::create_directories(directory, ignored))
    chmod(directory.c_str(), 0700);
  unlink(path.c_str());
  listener->server.set_address_family(AF_UNIX);
  const mode_t old_mask = umask(0077);  // root only from the moment it exists
  const bool bound = listener->server.bind_to_port(path, 80);
  umask(old_mask);
  if (!bound) return Error{"cannot listen on " + path + ": " + std::strerror(errno)};
  socket_path_ = path;
  chmod(path.c_str(), 0600);
  return serve(std::move(listener), false, path);
}

Result<void> ApiServer::listen_tcp(const ListenAddress& address) {
  auto listener = std::make_unique<Listener>();
  configure(listener->server, kTcpThreads);
  const std::string shown = shown_address(address);
  if (!listener->server.bind_to_port(address.host, address.port)) {
    return Error{"cannot listen on " + shown + " (api: listen): " + std::strerror(errno)};
  }
  spdlog::info("HTTP API on http://{}", shown);
  return serve(std::move(listener), true, shown);
}

Result<void> ApiServer::serve(std::unique_ptr<Listener> listener, bool over_tcp, const std::string& shown) {
  auto handler = [this, over_tcp](const httplib::Request& req, httplib::Response& res) {
    const ApiResponse response = answer(req, over_tcp);
    res.status = response.status;
    if (response.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    if (response.text) {
      res.set_content(*response.text, response.content_type);
    } else {
      res.set_content(response.body.dump(), "application/json");
    }
  };
  constexpr const char* kAnyPath = ".*";
  listener->server.Get(kAnyPath, handler);
  listener->server.Post(kAnyPath, handler);
  listener->server.Put(kAnyPath, handler);
  listener->server.Patch(kAnyPath, handler);
  listener->server.Delete(kAnyPath, handler);
  httplib::Server& server = listener->server;
  // Signals belong to the loop's signalfd: a thread (and the pool it starts)
  // that left SIGTERM unblocked would take it and die with the process.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  listener->thread = std::thread([&server] { server.listen_after_bind(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  const bool running = wait_until_running(server);
  listeners_.push_back(std::move(listener));
  if (!running) return Error{"the HTTP API on " + shown + " did not start"};
  return success();
}

ApiResponse ApiServer::answer(const httplib::Request& req, bool over_tcp) {
  const CallerFacts caller{
      over_tcp,   req.get_header_value("Host"),   req.get_header_value("Authorization"), req.path,
      req.method, req.get_header_value("Cookie"), req.get_header_value("Origin")};
  if (auto refusal = refuse_caller(
          caller, token_, [this](const std::string& session) { return login_.session_valid(session); }))
    return *refusal;
  auto body = parse_body(req.body);
  if (!body) return api_error(400, body.error());
  ApiRequest request{
      req.method,   req.path, {}, {}, std::move(*body), req.body, req.get_header_value("Content-Type"),
      caller.cookie};
  for (const auto& [name, value] : req.params) request.query.emplace(name, value);
  return handoff_->call([this, request = std::move(request)] { return router_.route(request); },
                        kLoopTimeout);
}

}  // namespace nettoll
