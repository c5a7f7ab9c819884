// Staff accounts: user name, role, zones and a PBKDF2 hash of their PIN or password, kept in a JSON
// file of their own in the state dir (never in the telemetry database), rewritten atomically (temp
// file, fsync, rename, fsync of the directory) on every change. Runs on the controller thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/api.pb.h"
#include "controller/api/password_hash.hpp"
#include "zones/clock.hpp"
#include "zones/result.hpp"

namespace atmo::api {

class UserStore {
 public:
  /// Loads `path` (a missing file is an empty store).
  /// Errors: the file exists but cannot be read or is not a users file (names the line's problem).
  static Result<std::unique_ptr<UserStore>> open(std::filesystem::path path, const Clock& clock,
                                                 std::uint32_t iterations = kDefaultPbkdf2Iterations);

  bool empty() const { return users_.empty(); }
  std::optional<v1::User> find(std::string_view username) const;
  std::vector<v1::User> list() const;

  /// True when `username` exists, is enabled and `secret` matches. Unknown names cost the same
  /// hashing work as known ones, so timing does not tell which names exist.
  bool verify(std::string_view username, std::string_view secret) const;

  /// What a login for `username` is checked against, so the costly check can run on another
  /// thread: the user's hash, or for an unknown or disabled name a dummy of the same cost with
  /// `usable` false (a match then still refuses).
  struct LoginCheck {
    PasswordHash hash;
    bool usable = false;
  };
  LoginCheck login_check(std::string_view username) const;
  /// Whether `check` still is the store's for `username`: not if the user was removed or disabled
  /// or got a new secret while the check ran.
  bool still_current(std::string_view username, const LoginCheck& check) const;

  /// Errors: invalid name, missing role, weak secret, name taken, the file cannot be written.
  Result<v1::User> create(v1::User user, std::string_view secret);
  /// Changes role, zones, display name, language and disabled; a non-empty secret replaces the old one.
  /// Errors: unknown user, weak secret, the change would leave no enabled admin, write failure.
  Result<v1::User> update(std::string_view username, const v1::User& changes, std::string_view secret);
  /// Errors: unknown user, the last enabled admin, write failure.
  Status remove(std::string_view username);

  /// Creates the demo accounts (admin 1111, manager 2222, reception 3333, therapist 4444 in
  /// `therapist_zone`, technician 5555) that do not exist yet. For demos only: the PINs are public.
  Status seed_demo_users(const std::string& therapist_zone);

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Entry {
    v1::User user;
    PasswordHash hash;
  };
  UserStore(std::filesystem::path path, const Clock& clock, std::uint32_t iterations)
      : path_(std::move(path)), clock_(clock), iterations_(iterations) {}
  Status save() const;
  bool enabled_admin_left(std::string_view without, const v1::User* replacement) const;

  std::filesystem::path path_;
  const Clock& clock_;
  std::uint32_t iterations_;
  std::map<std::string, Entry, std::less<>> users_;
  PasswordHash dummy_;  ///< verified against for unknown names
};

/// Errors: a user name that is not 1..32 of [a-z0-9._-] starting with a letter or digit.
Status check_username(std::string_view name);

}  // namespace atmo::api
