#include <catch2/catch.hpp>

#include "zones/venue_clock.hpp"

using namespace atmo;

namespace {
// 2027-03-28 00:55:00 UTC, the spring-forward night in Riga (02:55 EET, before the 03:00 jump).
constexpr TimeMs kSpringUtc = 1'806'195'300'000;
}  // namespace

TEST_CASE("a --clock value reads venue-local time in the venue's zone, DST included", "[venue_clock]") {
  CHECK(parse_venue_instant("2027-03-28T02:55:00", "Europe/Riga").value() == kSpringUtc);
  CHECK(parse_venue_instant("2027-03-28T02:55", "Europe/Riga").value() == kSpringUtc);
  // After the jump (03:00 -> 04:00) the offset is +03:00: 04:00 EEST is five real minutes later.
  CHECK(parse_venue_instant("2027-03-28T04:00:00", "Europe/Riga").value() == kSpringUtc + 5 * 60'000);
  // Fall back: 03:30 happens twice; the first (still summer time, +03:00) is meant, as the schedule fires it.
  CHECK(parse_venue_instant("2027-10-31T03:30:00", "Europe/Riga").value() ==
        parse_venue_instant("2027-10-31T00:30:00Z", "UTC").value());
}

TEST_CASE("a --clock value takes an explicit offset or Z over the venue's zone", "[venue_clock]") {
  CHECK(parse_venue_instant("2027-03-28T00:55:00Z", "Europe/Riga").value() == kSpringUtc);
  CHECK(parse_venue_instant("2027-03-28T02:55:00+02:00", "Europe/Riga").value() == kSpringUtc);
  CHECK(parse_venue_instant("2027-03-27T19:55:00-0500", "Europe/Riga").value() == kSpringUtc);
}

TEST_CASE("a --clock value refuses times that do not exist or do not parse, saying why", "[venue_clock]") {
  const auto gap = parse_venue_instant("2027-03-28T03:30:00", "Europe/Riga");
  REQUIRE_FALSE(gap);
  CHECK_THAT(gap.error().message, Catch::Contains("does not exist in Europe/Riga"));
  for (const char* bad : {"2027-03-28", "28.03.2027 02:55", "2027-02-30T10:00", "2027-03-28T25:00", "2027-03-28T02:55+2"}) {
    INFO(bad);
    CHECK_FALSE(parse_venue_instant(bad, "Europe/Riga"));
  }
}

TEST_CASE("the process clock is the system clock unless a start or a rate is given", "[venue_clock]") {
  auto plain = make_process_clock("", 1.0, "Europe/Riga");
  REQUIRE(plain);
  CHECK_FALSE((*plain)->simulated());
  auto pinned = make_process_clock("2027-03-28T02:55:00", 600, "Europe/Riga");
  REQUIRE(pinned);
  CHECK((*pinned)->simulated());
  CHECK((*pinned)->rate() == 600);
  CHECK((*pinned)->now_ms() >= kSpringUtc);
  auto fast = make_process_clock("", 5000, "Europe/Riga");
  REQUIRE_FALSE(fast);
  CHECK_THAT(fast.error().message, Catch::Contains("outside 0.1..3600"));
}

TEST_CASE("venue times read in the venue's zone for banners", "[venue_clock]") {
  CHECK(format_venue_time(kSpringUtc, "Europe/Riga") == "2027-03-28 02:55:00 EET");
  CHECK(format_venue_time(kSpringUtc + 5 * 60'000, "Europe/Riga") == "2027-03-28 04:00:00 EEST");
}
