// Where `atmo login` keeps its session token between commands: one small file readable by its
// owner only ($XDG_CONFIG_HOME/atmo/token, else ~/.config/atmo/token), naming the daemon the token
// belongs to, so a token is never sent to a daemon it was not issued by.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "zones/result.hpp"

namespace atmo::cli {

struct StoredLogin {
  std::string daemon;    ///< normalised daemon URL ("http://127.0.0.1:8080")
  std::string username;
  std::string token;
};

/// The token file's path. Errors: neither XDG_CONFIG_HOME nor HOME is set.
Result<std::filesystem::path> token_file();

/// The stored login; nullopt when there is none. Errors: unreadable or malformed file.
Result<std::optional<StoredLogin>> read_login();

/// Replaces the stored login atomically; the file is created with mode 0600 (its folder 0700).
/// Errors: the folder or file cannot be written.
Status save_login(const StoredLogin& login);

/// Removes the stored login. Returns whether there was one. Errors: it cannot be removed.
Result<bool> forget_login();

}  // namespace atmo::cli
