// Words for what the daemon reports, shared by the daemon commands: names from the venue (in
// English when the venue has them), sense states in a few letters and colour, holds, sound and
// reading quality. Text only; no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "config/api.pb.h"
#include "controller/cli/terminal.hpp"

namespace atmo::cli {

inline constexpr std::array<v1::Sense, 5> kSenses = {v1::SENSE_SIGHT, v1::SENSE_HEARING, v1::SENSE_SMELL,
                                                     v1::SENSE_TOUCH, v1::SENSE_TASTE};

/// Display names of the venue, its zones and scenes.
class VenueText {
 public:
  explicit VenueText(const v1::VenueInfo& venue);
  std::string venue_name() const;
  std::string zone_name(const std::string& zone) const;
  std::string scene_name(const std::string& zone, const std::string& scene) const;
  std::string scene_ids(const std::string& zone) const;  ///< "day, evening, closed"
  std::string zone_ids() const;
  /// English name, else any name, else `fallback`.
  static std::string name(const google::protobuf::Map<std::string, std::string>& names, const std::string& fallback);

 private:
  const v1::VenueInfo& venue_;
};

std::string_view sense_word(v1::Sense sense);  ///< "sight", "hearing", …
/// The state the zone reports for `sense` ("not_applicable" when it reports none).
std::string sense_state(const v1::ZoneStatus& zone, v1::Sense sense);
/// A sense state in at most five letters, coloured: ok, drift, OUT, n/d, -.
std::string sense_cell(const Painter& paint, std::string_view state);
/// out_of_standard 3, drifting 2, no_data 1, else 0.
int severity(std::string_view state);
/// The zone's worst sense state.
std::string worst_state(const v1::ZoneStatus& zone);

/// "until the next scheduled change", "until 15:05", "follows the schedule".
std::string hold_text(const v1::HoldInfo& hold, const VenueTime& time);
/// The status line's note for a zone: a hold or a manual choice.
std::string scene_note(const v1::ZoneStatus& zone, const VenueTime& time);
/// "sea -34 dB", "silent".
std::string sound_text(const v1::ZoneStatus& zone);
/// "good", "stale", "bad: <error>", "offline", coloured.
std::string quality_text(const Painter& paint, const v1::LiveReading& reading);

}  // namespace atmo::cli
