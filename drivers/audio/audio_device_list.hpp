// What PortAudio sees on this machine: `atmo audio devices` prints it, and the engine uses the
// same matching rule to pick its output device.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zones/result.hpp"

namespace atmo::audio {

struct AudioDeviceInfo {
  int index = -1;
  std::string name;
  std::string host_api;
  int max_output_channels = 0;
  int max_input_channels = 0;
  double default_sample_rate = 0.0;
  bool is_default_output = false;
};

// Initialises and terminates PortAudio around the query. PortAudio has one global state per
// process, so do not call this while an AudioEngine of this process is running.
atmo::Result<std::vector<AudioDeviceInfo>> list_audio_devices();

// Case-insensitive substring match of a device name, used by EngineSettings::device_name.
bool device_name_matches(std::string_view device_name, std::string_view wanted);

}  // namespace atmo::audio
