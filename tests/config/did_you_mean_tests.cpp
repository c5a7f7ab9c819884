#include <catch2/catch.hpp>

#include "config/did_you_mean.hpp"

using atmo::config::closest_match;
using atmo::config::did_you_mean;
using atmo::config::edit_distance;

TEST_CASE("edit distance counts inserts, deletes, substitutions and swapped neighbours") {
  CHECK(edit_distance("name", "name") == 0);
  CHECK(edit_distance("nmae", "name") == 1);   // swap
  CHECK(edit_distance("nam", "name") == 1);    // delete
  CHECK(edit_distance("names", "name") == 1);  // insert
  CHECK(edit_distance("game", "name") == 1);   // substitute
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("Zone", "zone") == 0);   // case does not count
}

TEST_CASE("a close key is suggested, a far one is not") {
  const std::vector<std::string> keys{"name", "zones", "scenes", "time_zone", "fade_ms"};
  CHECK(closest_match("nmae", keys) == "name");
  CHECK(closest_match("scnes", keys) == "scenes");
  CHECK(closest_match("timezone", keys) == "time_zone");
  CHECK(closest_match("fade", keys) == "fade_ms");  // a unit suffix left off
  CHECK_FALSE(closest_match("colour", keys).has_value());
  CHECK_FALSE(closest_match("name", keys).has_value());  // an exact match is no typo
  CHECK(did_you_mean("zonse", keys) == "; did you mean 'zones'?");
  CHECK(did_you_mean("xyzzy", keys).empty());
}
