// The one line `systemctl status atmo` shows (STATUS=): the venue, its day part, how many zones are
// out of standard, devices answering, the audio state and the fire alarm. Built on the controller's
// thread from its own state, so it costs no I/O.
#pragma once

#include <string>

#include "controller/controller.hpp"
#include "drivers/audio/audio_engine.hpp"

namespace atmo::controller::service {

std::string venue_summary(Controller& controller, const audio::EngineStatus& audio);

}  // namespace atmo::controller::service
