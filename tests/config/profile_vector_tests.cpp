// Every device profile carries test vectors (known registers -> expected value); this checks them
// all, so a wrong scale, type or word order in a profile fails here, not on site.
#include <catch2/catch.hpp>

#include <filesystem>

#include "config/venue_loader.hpp"
#include "drivers/modbus/register_codec.hpp"

namespace fs = std::filesystem;

TEST_CASE("every profile's test vectors decode to their expected values") {
  std::size_t profiles = 0, vectors = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(ATMO_SOURCE_DIR) / "config/profiles")) {
    auto loaded = atmo::config::load_profile_file(entry.path());
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.ok());
    const auto& profile = *loaded.profile;
    ++profiles;
    CHECK(profile.test_vectors_size() > 0);
    for (const auto& tv : profile.test_vectors()) {
      const atmo::v1::PointMap* point = nullptr;
      for (const auto& p : profile.points()) {
        if (p.name() == tv.point()) point = &p;
      }
      INFO(profile.id() << "." << tv.point());
      REQUIRE(point);
      std::vector<std::uint16_t> words(tv.registers().begin(), tv.registers().end());
      auto value = atmo::modbus::decode(*point, words);
      REQUIRE(value.ok());
      CHECK(*value == Approx(tv.expect()).epsilon(1e-9));
      // And back: encoding the expected value gives the same registers (bit fields share a word).
      if (!point->has_bit() && point->writable()) {
        auto raw = atmo::modbus::encode(*point, tv.expect());
        REQUIRE(raw.ok());
        CHECK(std::vector<std::uint16_t>(raw->span().begin(), raw->span().end()) == words);
      }
      ++vectors;
    }
  }
  CHECK(profiles >= 7);
  CHECK(vectors >= 25);
}
