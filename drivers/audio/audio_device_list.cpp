#include "drivers/audio/audio_device_list.hpp"

#include <portaudio.h>

#include <algorithm>
#include <cctype>

namespace atmo::audio {

bool device_name_matches(std::string_view device_name, std::string_view wanted) {
  if (wanted.empty()) return true;
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  std::string haystack(device_name), needle(wanted);
  std::transform(haystack.begin(), haystack.end(), haystack.begin(), lower);
  std::transform(needle.begin(), needle.end(), needle.begin(), lower);
  return haystack.find(needle) != std::string::npos;
}

atmo::Result<std::vector<AudioDeviceInfo>> list_audio_devices() {
  const PaError init = Pa_Initialize();
  if (init != paNoError) {
    return atmo::make_error("PortAudio error " + std::to_string(init) + " " + Pa_GetErrorText(init));
  }
  std::vector<AudioDeviceInfo> devices;
  const PaDeviceIndex count = Pa_GetDeviceCount();
  const PaDeviceIndex default_output = Pa_GetDefaultOutputDevice();
  for (PaDeviceIndex i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (info == nullptr) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    devices.push_back({i, info->name != nullptr ? info->name : "", api != nullptr && api->name != nullptr ? api->name : "",
                       info->maxOutputChannels, info->maxInputChannels, info->defaultSampleRate, i == default_output});
  }
  Pa_Terminate();
  return devices;
}

}  // namespace atmo::audio
