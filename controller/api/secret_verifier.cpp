#include "controller/api/secret_verifier.hpp"

#include <boost/asio/post.hpp>
#include <openssl/crypto.h>

namespace atmo::api {

namespace {

// A secret leaves memory as soon as it has been checked, rather than whenever the allocator
// reuses the block.
void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace

SecretVerifier::SecretVerifier(boost::asio::io_context& io, std::size_t max_waiting)
    : io_(io), max_waiting_(max_waiting), thread_([this] { run(); }) {}

SecretVerifier::~SecretVerifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& job : waiting_) wipe(job.secret);
    waiting_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

bool SecretVerifier::submit(std::string secret, PasswordHash stored, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || waiting_.size() >= max_waiting_) {
      wipe(secret);
      return false;
    }
    waiting_.push_back(Job{std::move(secret), std::move(stored), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void SecretVerifier::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    const bool match = verify_secret(job.secret, job.stored);
    wipe(job.secret);
    boost::asio::post(io_, [done = std::move(job.done), match] { done(match); });
  }
}

}  // namespace atmo::api
