#include "controller/api/password_hash.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace atmo::api {
namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.resize(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

bool pbkdf2(std::string_view secret, const std::vector<unsigned char>& salt, std::uint32_t iterations,
            unsigned char* out, std::size_t out_len) {
  return PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt.data(), static_cast<int>(salt.size()),
                           static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out_len), out) == 1;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  return to_hex(buf.data(), buf.size());
}

PasswordHash hash_secret(std::string_view secret, std::uint32_t iterations) {
  PasswordHash h;
  h.iterations = std::max(iterations, kMinPbkdf2Iterations);
  h.salt_hex = random_hex(16);
  std::vector<unsigned char> salt;
  from_hex(h.salt_hex, salt);
  unsigned char out[32];
  if (!pbkdf2(secret, salt, h.iterations, out, sizeof out)) throw std::runtime_error("OpenSSL PBKDF2 failed");
  h.hash_hex = to_hex(out, sizeof out);
  OPENSSL_cleanse(out, sizeof out);
  return h;
}

bool verify_secret(std::string_view secret, const PasswordHash& stored) {
  std::vector<unsigned char> salt;
  std::vector<unsigned char> expected;
  if (stored.algorithm != "pbkdf2-sha256" || stored.iterations == 0 || stored.iterations > 10'000'000 ||
      !from_hex(stored.salt_hex, salt) || !from_hex(stored.hash_hex, expected) || expected.size() != 32) {
    return false;
  }
  unsigned char out[32];
  if (!pbkdf2(secret, salt, stored.iterations, out, sizeof out)) return false;
  const bool same = CRYPTO_memcmp(out, expected.data(), sizeof out) == 0;
  OPENSSL_cleanse(out, sizeof out);
  return same;
}

Status check_secret_strength(std::string_view secret) {
  if (secret.size() > 128) return make_error("a PIN or password may have at most 128 characters");
  const bool digits = !secret.empty() && std::all_of(secret.begin(), secret.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    if (secret.size() < 4) return make_error("a PIN needs at least 4 digits");
    return ok_status();
  }
  if (secret.size() < 8) return make_error("a password needs at least 8 characters (or use a PIN of at least 4 digits)");
  return ok_status();
}

}  // namespace atmo::api
