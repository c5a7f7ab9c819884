// Checks staff PINs and passwords on a thread of its own.
//
// PBKDF2 costs tens of milliseconds by design (that is what makes guessing expensive). On the
// controller thread every login would stall scenes, polling and every other request for that long,
// and a burst of logins, or someone guessing, would stall them for seconds. So logins wait here
// instead, in a bounded queue: when it is full the login is answered "busy" at once rather than
// piling up memory and latency.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "controller/api/password_hash.hpp"

namespace atmo::api {

class SecretVerifier {
 public:
  using Done = std::function<void(bool match)>;

  /// `done` callbacks run on `io` (the controller's thread). At most `max_waiting` checks wait
  /// besides the one being computed.
  SecretVerifier(boost::asio::io_context& io, std::size_t max_waiting);
  /// Finishes the check in hand; checks still waiting are dropped and their `done` never runs.
  ~SecretVerifier();
  SecretVerifier(const SecretVerifier&) = delete;
  SecretVerifier& operator=(const SecretVerifier&) = delete;

  /// Queues a check of `secret` against `stored`. False when the queue is full (`done` never runs).
  bool submit(std::string secret, PasswordHash stored, Done done);

 private:
  struct Job {
    std::string secret;
    PasswordHash stored;
    Done done;
  };
  void run();

  boost::asio::io_context& io_;
  const std::size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atmo::api
