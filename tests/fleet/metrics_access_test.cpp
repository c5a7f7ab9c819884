// Who may read /metrics: loopback only without a token; everyone with the right token when one is set.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "controller/fleet/metrics_access.hpp"

using namespace atmo::fleet;

TEST_CASE("loopback addresses in every spelling the API server reports", "[fleet][metrics]") {
  CHECK(is_loopback_address("127.0.0.1"));
  CHECK(is_loopback_address("127.31.0.9"));
  CHECK(is_loopback_address("::1"));
  CHECK(is_loopback_address("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback_address("10.0.0.7"));
  CHECK_FALSE(is_loopback_address("192.168.1.20"));
  CHECK_FALSE(is_loopback_address("::ffff:10.0.0.7"));
  CHECK_FALSE(is_loopback_address("fe80::1"));
  CHECK_FALSE(is_loopback_address("localhost"));  // the server reports addresses, never names
  CHECK_FALSE(is_loopback_address("?"));
  CHECK_FALSE(is_loopback_address(""));
}

TEST_CASE("without a token only this machine may scrape", "[fleet][metrics]") {
  const MetricsAccess access;
  CHECK(check_metrics_access(access, "127.0.0.1", "").status == 200);
  CHECK(check_metrics_access(access, "::1", "Bearer whatever").status == 200);
  const auto refused = check_metrics_access(access, "10.0.0.7", "");
  CHECK(refused.status == 403);
  CHECK_THAT(refused.message, Catch::Contains("bearer_token_file"));
}

TEST_CASE("with a token every scraper must present it, loopback included", "[fleet][metrics]") {
  MetricsAccess access;
  access.bearer_token = "s3cret-token-of-32-characters-xx";
  CHECK(check_metrics_access(access, "10.0.0.7", "Bearer s3cret-token-of-32-characters-xx").status == 200);
  CHECK(check_metrics_access(access, "127.0.0.1", "").status == 401);
  CHECK(check_metrics_access(access, "10.0.0.7", "Bearer s3cret-token-of-32-characters-xy").status == 401);
  CHECK(check_metrics_access(access, "10.0.0.7", "Bearer s3cret").status == 401);
  CHECK(check_metrics_access(access, "10.0.0.7", "Basic czNjcmV0").status == 401);
  CHECK(check_metrics_access(access, "10.0.0.7", "bearer s3cret-token-of-32-characters-xx").status == 401);
}

TEST_CASE("disabled metrics answer 404 to everyone", "[fleet][metrics]") {
  atmo::v1::MetricsSettings settings;
  settings.set_enabled(false);
  auto access = load_metrics_access(settings);
  REQUIRE(access.ok());
  CHECK(check_metrics_access(*access, "127.0.0.1", "").status == 404);
}

TEST_CASE("the token comes from a file or the environment and must not be guessable", "[fleet][metrics]") {
  const auto dir = std::filesystem::temp_directory_path() / ("atmo-metrics-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "token";
  std::ofstream(file) << "  0123456789abcdef0123\n";
  atmo::v1::MetricsSettings settings;
  settings.set_bearer_token_file(file.string());
  auto from_file = load_metrics_access(settings);
  REQUIRE(from_file.ok());
  CHECK(*from_file->bearer_token == "0123456789abcdef0123");  // surrounding whitespace trimmed

  settings.set_bearer_token_file((dir / "missing").string());
  auto missing = load_metrics_access(settings);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("cannot read"));

  settings.clear_bearer_token_file();
  settings.set_bearer_token_env("ATMO_TEST_METRICS_TOKEN");
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "ATMO_TEST_METRICS_TOKEN" ? "short" : nullptr;
  };
  auto too_short = load_metrics_access(settings, env);
  REQUIRE_FALSE(too_short.ok());
  CHECK_THAT(too_short.error().message, Catch::Contains("shorter than 16"));
  auto unset = load_metrics_access(settings, [](const char*) -> const char* { return nullptr; });
  REQUIRE_FALSE(unset.ok());
  CHECK_THAT(unset.error().message, Catch::Contains("ATMO_TEST_METRICS_TOKEN is not set"));
  std::filesystem::remove_all(dir);
}
