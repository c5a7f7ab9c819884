// The daemon's HTTP/1.1 + WebSocket server (Boost.Beast), optionally over TLS: serves the tablet UI
// at `/`, the REST API under /api/v1 (ApiRouter) and live pushes on /api/v1/ws. It runs on the
// controller's io_context thread, the same thread that owns all controller state, so handlers call
// the Controller directly: no locks, no posting. Everything here must be called on that thread.
// Limits (body, header, message size, timeouts, queue, connections) are in ApiOptions.
#pragma once

#include <cstdint>
#include <memory>

#include "controller/api/api_options.hpp"
#include "controller/api/user_store.hpp"
#include "controller/controller.hpp"

namespace atmo::api {

class ApiServer {
 public:
  /// Nothing is opened before start(). `controller` must outlive the server.
  ApiServer(controller::Controller& controller, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Opens the users file and the audit log in the state dir, loads the TLS certificate if one is
  /// configured, binds the listen address (options, else the venue's api.listen, else
  /// 127.0.0.1:8080) and starts accepting. Call after Controller::start().
  /// Errors: bad listen address, the port is taken, unreadable certificate or key, unreadable
  /// users file or audit log.
  Status start();
  /// Stops accepting, closes every connection and stops the push timer. Idempotent.
  void stop();

  /// The port actually bound (useful with port 0), 0 before start().
  std::uint16_t port() const;
  bool tls() const;
  /// Open HTTP and WebSocket connections.
  std::size_t connections() const;
  std::size_t websocket_clients() const;

  /// The accounts (after start()): the daemon seeds the demo users through it.
  UserStore& users();
  /// Creates the demo users (public PINs 1111..5555) and logs a loud warning. After start().
  Status seed_demo_users();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace atmo::api
