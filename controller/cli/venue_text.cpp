#include "controller/cli/venue_text.hpp"

#include <algorithm>

namespace atmo::cli {

VenueText::VenueText(const v1::VenueInfo& venue) : venue_(venue) {}

std::string VenueText::name(const google::protobuf::Map<std::string, std::string>& names, const std::string& fallback) {
  if (auto it = names.find("en"); it != names.end() && !it->second.empty()) return it->second;
  // Map order is unspecified: take the smallest language code so the choice is stable.
  const std::string* best = nullptr;
  std::string best_language;
  for (const auto& [language, text] : names) {
    if (!text.empty() && (best == nullptr || language < best_language)) {
      best = &text;
      best_language = language;
    }
  }
  return best != nullptr ? *best : fallback;
}

std::string VenueText::venue_name() const { return name(venue_.name(), venue_.id()); }

std::string VenueText::zone_name(const std::string& zone) const {
  for (const auto& z : venue_.zones()) {
    if (z.id() == zone) return name(z.name(), zone);
  }
  return zone;
}

std::string VenueText::scene_name(const std::string& zone, const std::string& scene) const {
  for (const auto& z : venue_.zones()) {
    if (z.id() != zone) continue;
    for (const auto& s : z.scenes()) {
      if (s.id() == scene) return name(s.name(), scene);
    }
  }
  return scene;
}

std::string VenueText::scene_ids(const std::string& zone) const {
  std::string out;
  for (const auto& z : venue_.zones()) {
    if (z.id() != zone) continue;
    for (const auto& s : z.scenes()) out += (out.empty() ? "" : ", ") + s.id();
  }
  return out;
}

std::string VenueText::zone_ids() const {
  std::string out;
  for (const auto& z : venue_.zones()) out += (out.empty() ? "" : ", ") + z.id();
  return out;
}

std::string_view sense_word(v1::Sense sense) {
  switch (sense) {
    case v1::SENSE_SIGHT: return "sight";
    case v1::SENSE_HEARING: return "hearing";
    case v1::SENSE_SMELL: return "smell";
    case v1::SENSE_TOUCH: return "touch";
    case v1::SENSE_TASTE: return "taste";
    default: return "?";
  }
}

std::string sense_state(const v1::ZoneStatus& zone, v1::Sense sense) {
  for (const auto& s : zone.senses()) {
    if (s.sense() == sense) return s.state();
  }
  return "not_applicable";
}

std::string sense_cell(const Painter& paint, std::string_view state) {
  if (state == "ok") return paint("ok", Colour::green);
  if (state == "drifting") return paint("drift", Colour::yellow);
  if (state == "out_of_standard") return paint("OUT", Colour::red);
  if (state == "no_data") return paint("n/d", Colour::grey);
  return paint("-", Colour::grey);
}

int severity(std::string_view state) {
  if (state == "out_of_standard") return 3;
  if (state == "drifting") return 2;
  if (state == "no_data") return 1;
  return 0;
}

std::string worst_state(const v1::ZoneStatus& zone) {
  std::string worst = "ok";
  bool any = false;
  for (const auto& s : zone.senses()) {
    if (s.state() == "not_applicable") continue;
    if (!any || severity(s.state()) > severity(worst)) worst = s.state();
    any = true;
  }
  return any ? worst : "not_applicable";
}

std::string hold_text(const v1::HoldInfo& hold, const VenueTime& time) {
  if (hold.kind() == "until_time") return "held until " + time.clock(hold.until_ms());
  if (hold.kind() == "until_next_change") return "held until the next scheduled change";
  return "follows the schedule";
}

std::string scene_note(const v1::ZoneStatus& zone, const VenueTime& time) {
  if (zone.fire_alarm()) return "fire alarm";
  const auto& hold = zone.hold();
  const std::string by = zone.cause_who().empty() ? "" : " (" + zone.cause_who() + ")";
  if (hold.kind() == "until_time") return "held until " + time.clock(hold.until_ms()) + by;
  if (hold.kind() == "until_next_change") return "held until the next change" + by;
  return "";
}

std::string sound_text(const v1::ZoneStatus& zone) {
  if (zone.soundscape().empty()) return "silent";
  return zone.soundscape() + " " + number(zone.sound_level_db()) + " dB";
}

std::string quality_text(const Painter& paint, const v1::LiveReading& reading) {
  switch (reading.quality()) {
    case v1::QUALITY_GOOD: return paint("good", Colour::green);
    case v1::QUALITY_STALE: return paint("stale", Colour::yellow);
    case v1::QUALITY_BAD: return paint("bad" + (reading.error().empty() ? "" : ": " + reading.error()), Colour::red);
    case v1::QUALITY_OFFLINE: return paint("offline", Colour::red);
    default: return paint("no reading", Colour::grey);
  }
}

}  // namespace atmo::cli
