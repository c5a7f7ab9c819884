#include "controller/service/venue_summary.hpp"

#include <set>

#include <spdlog/fmt/fmt.h>

namespace atmo::controller::service {

std::string venue_summary(Controller& controller, const audio::EngineStatus& audio) {
  std::set<std::string, std::less<>> zones_out;
  for (const auto& c : controller.compliance().criteria_out_of_standard()) zones_out.insert(c.zone);
  for (const auto& c : controller.compliance().checklist_out_of_standard()) zones_out.insert(c.zone);
  const auto devices = controller.devices().device_count();
  const auto day_part = controller.runner().day_part();
  std::string line = fmt::format("{}: {}; {} of {} zones out of standard; {} of {} devices answering; audio {}",
                                 controller.venue().id(), day_part.empty() ? "no program in force" : day_part,
                                 zones_out.size(), controller.venue().zones().size(), devices.devices - devices.failing,
                                 devices.devices, audio::to_string(audio.state));
  if (controller.fire_alarm()) line = "FIRE ALARM; " + line;
  return line;
}

}  // namespace atmo::controller::service
