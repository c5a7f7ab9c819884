// Result<T>: a value or an error a person can act on. Errors a user can cause (bad config, a device
// that answers garbage, a bad API request) travel as values; exceptions are kept for programming
// errors and start-up failures (see docs/architecture.md).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace atmo {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

/// A result with nothing to return but success.
using Status = Result<std::monostate>;
inline Status ok_status() { return std::monostate{}; }

}  // namespace atmo
