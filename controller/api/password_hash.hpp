// Hashing of staff PINs and passwords: PBKDF2-HMAC-SHA256 (OpenSSL EVP) with a random per-user salt
// and a stored iteration count, so the work factor can be raised later without invalidating old
// hashes. Verification compares in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::api {

inline constexpr std::uint32_t kDefaultPbkdf2Iterations = 120'000;
inline constexpr std::uint32_t kMinPbkdf2Iterations = 100'000;

struct PasswordHash {
  std::string algorithm = "pbkdf2-sha256";
  std::uint32_t iterations = kDefaultPbkdf2Iterations;
  std::string salt_hex;  ///< 16 random bytes
  std::string hash_hex;  ///< 32 bytes
};

/// Hashes `secret` with a fresh salt. Throws std::runtime_error only if OpenSSL's RNG fails.
PasswordHash hash_secret(std::string_view secret, std::uint32_t iterations = kDefaultPbkdf2Iterations);

/// True when `secret` matches. Unknown algorithms and malformed records never match.
bool verify_secret(std::string_view secret, const PasswordHash& stored);

/// A PIN is at least 4 digits; anything else is a password of at least 8 characters.
/// Errors: too short, or longer than 128 characters, with a message for the person choosing it.
Status check_secret_strength(std::string_view secret);

/// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex. Throws if the RNG fails.
std::string random_hex(std::size_t bytes);

}  // namespace atmo::api
