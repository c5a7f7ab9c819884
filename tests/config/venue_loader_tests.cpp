#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include "config/venue_loader.hpp"
#include "zones/venue.hpp"

namespace fs = std::filesystem;
using atmo::config::load_embedded_demo;
using atmo::config::load_venue_file;

namespace {

const fs::path kTests = fs::path(ATMO_SOURCE_DIR) / "tests/config";

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Loads with the file's folder as working directory so messages name the file as a user typed it.
atmo::config::LoadResult load_in_place(const fs::path& file) {
  const fs::path before = fs::current_path();
  fs::current_path(file.parent_path());
  auto result = load_venue_file(file.filename());
  fs::current_path(before);
  return result;
}

std::string text_of(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(m, &out);
  return out;
}

}  // namespace

TEST_CASE("the golden minimal venue maps onto exactly the expected messages") {
  auto result = load_in_place(kTests / "good/minimal.yaml");
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.ok());

  atmo::v1::Venue expected;
  std::ifstream in(kTests / "good/minimal.textproto");
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text.str(), &expected));
  INFO(text_of(*result.venue));
  CHECK(google::protobuf::util::MessageDifferencer::Equivalent(*result.venue, expected));
}

TEST_CASE("each broken venue file gives exactly its expected errors") {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kTests / "broken")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const fs::path expected_file = fs::path(entry.path()).replace_extension(".expected");
    DYNAMIC_SECTION(entry.path().filename().string()) {
      REQUIRE(fs::exists(expected_file));
      auto result = load_in_place(entry.path());
      std::vector<std::string> got;
      for (const auto& e : result.errors) got.push_back(e.to_string());
      CHECK_FALSE(result.ok());
      CHECK_FALSE(result.venue.has_value());  // nothing half-loaded ever reaches the caller
      CHECK(got == read_lines(expected_file));
    }
  }
  CHECK(files >= 7);
}

TEST_CASE("the demo venue is valid and indexes into the venue model") {
  auto result = load_venue_file(fs::path(ATMO_SOURCE_DIR) / "config/venues/demo.yaml");
  for (const auto& e : result.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(result.ok());
  auto venue = atmo::zones::Venue::create(std::move(*result.venue));

  // The client journey, in order.
  std::vector<std::string> journey;
  for (const auto& z : venue->zones()) journey.push_back(z.id());
  CHECK(journey == std::vector<std::string>{"entrance", "reception", "changing", "lounge", "treatment-1",
                                            "treatment-2", "hammam", "tea"});
  CHECK(venue->config().profiles_size() >= 7);

  const auto* temp = venue->point("lounge.air.temperature");
  REQUIRE(temp);
  CHECK(temp->local_id == "air.temperature");
  CHECK(temp->device->id == "lounge.air");
  CHECK(temp->device->bus->id() == "wellness");
  CHECK(temp->map->address() == 1);
  CHECK(temp->poll_period == std::chrono::milliseconds(2000));
  CHECK_FALSE(temp->output());

  // Outputs are read back less often than inputs are polled.
  const auto* level = venue->point("lounge.light.level");
  REQUIRE(level);
  CHECK(level->output());
  CHECK(level->poll_period == std::chrono::milliseconds(5000));

  // Disabled points never receive scene values.
  CHECK(venue->zone_points("treatment-1", atmo::v1::QUANTITY_LIGHT_LEVEL).size() == 1);
  CHECK(venue->zone_points("lounge", atmo::v1::QUANTITY_LIGHT_LEVEL).size() == 2);
  CHECK(venue->zone_points("tea", atmo::v1::QUANTITY_SCENT_ENABLE).empty());

  // Venue scenes resolve per zone.
  const auto* day = venue->venue_scene("day");
  REQUIRE(day);
  const auto* lounge_day = venue->zone_scene_for(*day, "lounge");
  REQUIRE(lounge_day);
  CHECK(lounge_day->sound().soundscape() == "sea");
  CHECK(venue->bus_settings(*venue->bus("wet")).response_timeout == std::chrono::milliseconds(800));
  CHECK(venue->bus_settings(*venue->bus("front")).max_registers_per_read == 125);
}

TEST_CASE("the demo venue compiled into the binary equals the one on disk") {
  auto disk = load_venue_file(fs::path(ATMO_SOURCE_DIR) / "config/venues/demo.yaml");
  auto embedded = load_embedded_demo();
  for (const auto& e : embedded.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(disk.ok());
  REQUIRE(embedded.ok());
  CHECK(google::protobuf::util::MessageDifferencer::Equivalent(*disk.venue, *embedded.venue));
}

TEST_CASE("a missing venue file is a clear error, not an exception") {
  auto result = load_venue_file("/nonexistent/venue.yaml");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string().rfind("/nonexistent/venue.yaml: cannot open", 0) == 0);
}

TEST_CASE("a missing profile folder is reported where it is named") {
  const fs::path dir = fs::temp_directory_path() / "atmo-loader-test";
  fs::create_directories(dir);
  std::ofstream(dir / "venue.yaml") << "id: x\nname: {en: X}\ntime_zone: UTC\nprofile_dirs: [nowhere]\n"
                                       "zones: [{id: a, name: {en: A}}]\n";
  auto result = load_venue_file(dir / "venue.yaml");
  REQUIRE_FALSE(result.ok());
  CHECK(result.errors.at(0).line == 4);
  CHECK(result.errors.at(0).column == 16);
  CHECK(result.errors.at(0).message == "profile folder " + (dir / "nowhere").generic_string() + " does not exist");
  fs::remove_all(dir);
}
