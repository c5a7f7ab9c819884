// The demo venue, a manual clock at a given local time, and recording edges, for controller logic
// tests that need no bus, no sound card and no thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/venue_loader.hpp"
#include "controller/event_bus.hpp"
#include "controller/scene_engine.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace atmo::test {

inline std::shared_ptr<const zones::Venue> demo_venue() {
  auto loaded = config::load_venue_file(std::filesystem::path(ATMO_SOURCE_DIR) / "config/venues/demo.yaml");
  if (!loaded.ok()) throw std::runtime_error("demo venue does not load: " + loaded.errors.front().to_string());
  return zones::Venue::create(std::move(*loaded.venue));
}

/// What the scene engine asked of each output, last value and how often.
class RecordingOutputs final : public controller::OutputSink {
 public:
  Status set_output(const zones::Point& point, double value, controller::Delivery delivery) override {
    values[point.id] = value;
    ++writes[point.id];
    if (delivery == controller::Delivery::always) ++rewrites[point.id];
    return ok_status();
  }
  double at(const std::string& id) const { return values.at(id); }
  std::map<std::string, double> values;
  std::map<std::string, int> writes;
  std::map<std::string, int> rewrites;  ///< sent with Delivery::always
};

class RecordingSound final : public controller::SoundSink {
 public:
  void set_sound(std::string_view zone, const zones::SoundPlan& sound) override {
    plans[std::string(zone)] = sound;
    ++calls;
  }
  std::map<std::string, zones::SoundPlan> plans;
  int calls = 0;
};

/// A scene engine over the demo venue with everything it talks to in reach.
struct DemoRig {
  std::shared_ptr<const zones::Venue> venue = demo_venue();
  zones::Schedule schedule = zones::Schedule::create(venue).value();
  ManualClock clock;
  controller::EventBus events{clock};
  RecordingOutputs outputs;
  RecordingSound sound;
  controller::SceneEngine scenes{venue, clock, schedule, outputs, sound, events};
  std::vector<controller::Event> log;

  DemoRig() {
    events.subscribe([this](const controller::Event& e) { log.push_back(e); });
  }

  /// UTC ms of a local wall time in the venue (Europe/Riga) on a day without a DST change.
  TimeMs local(int year, unsigned month, unsigned day, int hour, int minute) const {
    return schedule.start_of_day(zones::LocalDate{year, month, day}) + (hour * 60 + minute) * 60'000LL;
  }

  std::size_t count(const std::string& kind) const {
    std::size_t n = 0;
    for (const auto& e : log) n += e.kind == kind ? 1 : 0;
    return n;
  }
};

}  // namespace atmo::test
