#include "controller/fleet/secret_source.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace atmo::fleet {

namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

Result<std::string> read_secret(std::string_view what, const std::string& file, const std::string& env,
                                const EnvLookup& getenv, std::size_t min_length) {
  std::string secret;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(std::string(what) + ": cannot read " + file);
    std::ostringstream text;
    text << in.rdbuf();
    secret = trim(text.str());
    if (secret.empty()) return make_error(std::string(what) + ": " + file + " is empty");
  } else if (!env.empty()) {
    const char* value = getenv ? getenv(env.c_str()) : std::getenv(env.c_str());
    if (value == nullptr) return make_error(std::string(what) + ": the environment variable " + env + " is not set");
    secret = trim(value);
    if (secret.empty()) return make_error(std::string(what) + ": the environment variable " + env + " is empty");
  } else {
    return make_error(std::string(what) + ": no file or environment variable is named");
  }
  if (secret.size() < min_length) {
    return make_error(std::string(what) + " is shorter than " + std::to_string(min_length) + " characters");
  }
  return secret;
}

bool same_secret(std::string_view a, std::string_view b) {
  // Digests first: equal lengths, so neither the position of a difference nor the length leaks.
  unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
  unsigned int la = 0, lb = 0;
  if (EVP_Digest(a.data(), a.size(), da, &la, EVP_sha256(), nullptr) != 1) return false;
  if (EVP_Digest(b.data(), b.size(), db, &lb, EVP_sha256(), nullptr) != 1) return false;
  return la == lb && CRYPTO_memcmp(da, db, la) == 0;
}

}  // namespace atmo::fleet
