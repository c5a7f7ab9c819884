#include "drivers/audio/audio_engine.hpp"

#include <portaudio.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "drivers/audio/audio_device_list.hpp"
#include "drivers/audio/mute_gate.hpp"
#include "drivers/audio/zone_program.hpp"

namespace atmo::audio {

const char* to_string(EngineState state) {
  switch (state) {
    case EngineState::Stopped: return "Stopped";
    case EngineState::NoDevice: return "NoDevice";
    case EngineState::Playing: return "Playing";
  }
  return "?";
}

namespace {

// The producer mixes in blocks this size; small enough to keep the ring topped up finely.
constexpr int kMixBlockFrames = 256;
// A stream whose callback has not run for this long is treated as a lost device.
constexpr auto kStallTimeout = std::chrono::seconds(2);

std::string pa_error(PaError error) {
  return "PortAudio error " + std::to_string(error) + " " + Pa_GetErrorText(error);
}

}  // namespace

struct AudioEngine::Impl {
  struct Job {
    int zone;
    SoundscapeSpec spec;
    double level_db;
    std::int64_t fade_frames;
    std::uint64_t sequence;
  };
  struct Requested {
    std::string soundscape;
    std::uint64_t sequence = 0;
    std::string error;
  };

  explicit Impl(EngineSettings s)
      : settings(std::move(s)),
        mixer(settings.sample_rate, settings.output_channels, settings.zones, kMixBlockFrames),
        ring(ring_capacity(settings)),
        gate(settings.sample_rate),
        requested(settings.zones.size()) {
    if (settings.frames_per_buffer < 16 || settings.frames_per_buffer > 8192) {
      throw std::invalid_argument("frames_per_buffer must be within 16..8192");
    }
  }

  static std::size_t ring_capacity(const EngineSettings& s) {
    const auto ahead_frames = static_cast<std::size_t>(
        std::max<std::int64_t>(s.buffer_ahead.count() * s.sample_rate / 1000, 2 * s.frames_per_buffer));
    return (ahead_frames + kMixBlockFrames) * static_cast<std::size_t>(std::max(1, s.output_channels));
  }

  // --- PortAudio callback: no locks, no allocation, no logging, no I/O, no PortAudio calls. ---
  static int callback(const void* /*input*/, void* output, unsigned long frames,
                      const PaStreamCallbackTimeInfo* /*time*/, PaStreamCallbackFlags flags, void* user) {
    auto* self = static_cast<Impl*>(user);
    auto* out = static_cast<float*>(output);
    const auto channels = static_cast<std::size_t>(self->settings.output_channels);
    const std::size_t wanted = frames * channels;
    const std::size_t got = self->ring.pop(out, wanted);
    if (got < wanted) {
      std::fill(out + got, out + wanted, 0.0F);  // always fill the whole buffer
      self->ring_underruns.fetch_add(1, std::memory_order_relaxed);
    }
    self->gate.process(out, static_cast<int>(frames), static_cast<int>(channels),
                       self->muted.load(std::memory_order_relaxed));
    if ((flags & paOutputUnderflow) != 0) self->output_underflows.fetch_add(1, std::memory_order_relaxed);
    self->callbacks.fetch_add(1, std::memory_order_relaxed);
    return paContinue;
  }

  // --- producer thread: commands in, mixed audio out; allocation-free, lock-free. ---
  void mixer_loop() {
    std::vector<float> block(static_cast<std::size_t>(kMixBlockFrames * settings.output_channels));
    const auto idle = std::chrono::microseconds(
        std::clamp<std::int64_t>(250'000LL * settings.frames_per_buffer / settings.sample_rate, 500, 5000));
    while (running.load(std::memory_order_acquire)) {
      MixerCommand command;
      while (control_queue.pop(command)) mixer.apply(command);
      while (program_queue.pop(command)) mixer.apply(command);
      while (retired_queue.write_available() > 0) {
        ZoneProgram* program = mixer.take_retired();
        if (program == nullptr) break;
        retired_queue.push(program);
      }
      if (ring.write_available() >= block.size()) {
        mixer.render(block.data(), kMixBlockFrames);
        ring.push(block.data(), block.size());
        continue;
      }
      std::this_thread::sleep_for(idle);  // ring full: the callback drains a block in ~5 ms
    }
  }

  // --- loader thread: builds programs (decoding, calibration) and frees retired ones. ---
  void loader_loop() {
    for (;;) {
      std::optional<Job> job;
      {
        std::unique_lock lock(jobs_mutex);
        jobs_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return !running || !jobs.empty(); });
        if (!running) break;
        if (!jobs.empty()) {
          job = std::move(jobs.front());
          jobs.pop_front();
        }
      }
      free_retired();
      if (job) load(*job);
    }
    free_retired();
  }

  void load(Job& job) {
    ProgramOptions options;
    options.sample_rate = settings.sample_rate;
    options.max_block_frames = kMixBlockFrames;
    options.zone_channels = settings.zones[static_cast<std::size_t>(job.zone)].channels;
    options.calibration_seconds = settings.calibration_seconds;
    options.cancel = &stopping;
    const auto started = std::chrono::steady_clock::now();
    auto program = prepare_zone_program(job.spec, options);
    if (!program) {
      if (stopping) return;
      spdlog::warn("audio: zone '{}' cannot play '{}': {}", settings.zones[static_cast<std::size_t>(job.zone)].zone,
                   job.spec.id, program.error().message);
      std::lock_guard lock(requested_mutex);
      Requested& r = requested[static_cast<std::size_t>(job.zone)];
      if (r.sequence == job.sequence) r.error = program.error().message;
      return;
    }
    MixerCommand command{MixerCommand::Kind::Play, job.zone, job.level_db, job.fade_frames, job.sequence,
                         std::move(program).value().release()};
    while (!program_queue.push(command)) {
      if (stopping) {
        delete command.program;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Decoding and calibration take a while (30 s of sound rendered ahead); the scene's fade only
    // starts now, which is worth knowing when a zone seems late.
    spdlog::info("audio: zone '{}' plays '{}' (prepared in {} ms)",
                 settings.zones[static_cast<std::size_t>(job.zone)].zone, job.spec.id,
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  }

  void free_retired() {
    ZoneProgram* program = nullptr;
    while (retired_queue.pop(program)) delete program;
  }

  // --- device thread: owns every PortAudio call; opens, watches, and retries. ---
  void device_loop() {
    while (running) {
      attempts.fetch_add(1, std::memory_order_relaxed);
      PaError error = Pa_Initialize();
      if (error != paNoError) {
        set_no_device("no audio device: " + pa_error(error));
        wait_retry();
        continue;
      }
      PaStream* stream = nullptr;
      std::string failure = open_stream(stream);
      if (!failure.empty()) {
        Pa_Terminate();
        set_no_device("no audio device: " + failure);
        wait_retry();
        continue;
      }
      watch(stream);
      Pa_AbortStream(stream);
      Pa_CloseStream(stream);
      Pa_Terminate();
    }
    {
      std::lock_guard lock(device_mutex);
      state = EngineState::Stopped;
      reason.clear();
      device.clear();
    }
  }

  std::string open_stream(PaStream*& stream) {
    PaDeviceIndex index = paNoDevice;
    const PaDeviceIndex count = Pa_GetDeviceCount();
    if (count < 0) return pa_error(count);
    if (settings.device_name.empty()) {
      index = Pa_GetDefaultOutputDevice();
      if (index == paNoDevice) return "no default output device (PortAudio sees " + std::to_string(count) + " devices)";
    } else {
      for (PaDeviceIndex i = 0; i < count && index == paNoDevice; ++i) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
        if (info != nullptr && info->maxOutputChannels >= settings.output_channels &&
            device_name_matches(info->name, settings.device_name)) {
          index = i;
        }
      }
      if (index == paNoDevice) {
        return "no output device matching '" + settings.device_name + "' with " +
               std::to_string(settings.output_channels) + " channels (see `atmo audio devices`)";
      }
    }
    const PaDeviceInfo* info = Pa_GetDeviceInfo(index);
    if (info == nullptr) return "device " + std::to_string(index) + " vanished";
    if (info->maxOutputChannels < settings.output_channels) {
      return "'" + std::string(info->name) + "' has " + std::to_string(info->maxOutputChannels) +
             " output channels, the zones need " + std::to_string(settings.output_channels);
    }
    PaStreamParameters parameters{};
    parameters.device = index;
    parameters.channelCount = settings.output_channels;
    parameters.sampleFormat = paFloat32;
    parameters.suggestedLatency = info->defaultHighOutputLatency;
    // paClipOff: the mixer already clamps to full scale.
    PaError error = Pa_OpenStream(&stream, nullptr, &parameters, settings.sample_rate,
                                  static_cast<unsigned long>(settings.frames_per_buffer), paClipOff, &Impl::callback, this);
    if (error != paNoError) return pa_error(error);
    error = Pa_StartStream(stream);
    if (error != paNoError) {
      Pa_CloseStream(stream);
      stream = nullptr;
      return pa_error(error);
    }
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    const std::string name = std::string(info->name) + " (" + (api != nullptr ? api->name : "?") + ")";
    {
      std::lock_guard lock(device_mutex);
      state = EngineState::Playing;
      reason.clear();
      device = name;
    }
    logged_reason.clear();
    spdlog::info("audio: playing on {} at {} Hz, {} channels, {} frames per buffer", name, settings.sample_rate,
                 settings.output_channels, settings.frames_per_buffer);
    return {};
  }

  // Polls the open stream; returns when stopping or when the device is gone.
  void watch(PaStream* stream) {
    std::uint64_t last_callbacks = callbacks.load();
    auto last_progress = std::chrono::steady_clock::now();
    while (running) {
      {
        std::unique_lock lock(device_mutex);
        device_cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return !running; });
      }
      if (!running) return;
      cpu_load.store(Pa_GetStreamCpuLoad(stream), std::memory_order_relaxed);
      const std::uint64_t now_callbacks = callbacks.load();
      const auto now = std::chrono::steady_clock::now();
      if (now_callbacks != last_callbacks) {
        last_callbacks = now_callbacks;
        last_progress = now;
      }
      if (Pa_IsStreamActive(stream) != 1) {
        set_no_device("no audio device: the output stream stopped (device lost)");
        return;
      }
      if (now - last_progress > kStallTimeout) {
        set_no_device("no audio device: the device stopped asking for audio (lost?)");
        return;
      }
    }
  }

  void set_no_device(const std::string& why) {
    {
      std::lock_guard lock(device_mutex);
      state = EngineState::NoDevice;
      reason = why;
      device.clear();
    }
    if (why != logged_reason) {  // one line per new reason, not one per retry
      spdlog::warn("audio: {}; retrying every {} ms", why, settings.retry_interval.count());
      logged_reason = why;
    }
  }

  void wait_retry() {
    std::unique_lock lock(device_mutex);
    device_cv.wait_for(lock, settings.retry_interval, [&] { return !running; });
  }

  int zone_or_error(std::string_view zone, std::optional<atmo::Error>& error) const {
    const int index = mixer.zone_index(zone);
    if (index < 0) {
      std::string names;
      for (const ZoneOutput& z : settings.zones) names += (names.empty() ? "" : ", ") + z.zone;
      error = atmo::make_error("unknown audio zone '" + std::string(zone) + "'; audio zones: " + names);
    }
    return index;
  }

  std::optional<atmo::Error> send(const MixerCommand& command) {
    if (!control_queue.push(command)) {
      return atmo::make_error("audio command queue is full (the mixer thread is not running?)");
    }
    return std::nullopt;
  }

  EngineSettings settings;
  Mixer mixer;
  boost::lockfree::spsc_queue<float> ring;
  MuteGate gate;  // callback only
  boost::lockfree::spsc_queue<MixerCommand, boost::lockfree::capacity<512>> control_queue;
  boost::lockfree::spsc_queue<MixerCommand, boost::lockfree::capacity<64>> program_queue;
  boost::lockfree::spsc_queue<ZoneProgram*, boost::lockfree::capacity<256>> retired_queue;

  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> muted{false};
  std::atomic<std::uint64_t> callbacks{0};
  std::atomic<std::uint64_t> output_underflows{0};
  std::atomic<std::uint64_t> ring_underruns{0};
  std::atomic<std::uint64_t> attempts{0};
  std::atomic<double> cpu_load{0.0};
  std::atomic<std::uint64_t> sequence{0};

  std::mutex jobs_mutex;
  std::condition_variable jobs_cv;
  std::deque<Job> jobs;

  mutable std::mutex device_mutex;
  std::condition_variable device_cv;
  EngineState state = EngineState::Stopped;
  std::string reason;
  std::string device;
  std::string logged_reason;  // device thread only

  mutable std::mutex requested_mutex;
  std::vector<Requested> requested;

  std::thread mixer_thread, loader_thread, device_thread;
};

AudioEngine::AudioEngine(EngineSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}

AudioEngine::~AudioEngine() {
  stop();
  // Programs still in flight belong to no one else now.
  MixerCommand command;
  while (impl_->program_queue.pop(command)) delete command.program;
  impl_->free_retired();
}

void AudioEngine::start() {
  Impl& d = *impl_;
  if (d.running.exchange(true)) return;
  d.stopping = false;
  {
    std::lock_guard lock(d.device_mutex);
    d.state = EngineState::NoDevice;
    d.reason = "no audio device: not opened yet";
  }
  d.mixer_thread = std::thread([&d] { d.mixer_loop(); });
  d.loader_thread = std::thread([&d] { d.loader_loop(); });
  d.device_thread = std::thread([&d] { d.device_loop(); });
}

void AudioEngine::stop() {
  Impl& d = *impl_;
  if (!d.running.exchange(false)) return;
  d.stopping = true;
  {
    // Notify under the locks so a thread between its predicate check and its wait still wakes.
    std::lock_guard device_lock(d.device_mutex);
    d.device_cv.notify_all();
  }
  {
    std::lock_guard jobs_lock(d.jobs_mutex);
    d.jobs_cv.notify_all();
  }
  for (std::thread* t : {&d.device_thread, &d.loader_thread, &d.mixer_thread}) {
    if (t->joinable()) t->join();
  }
}

std::optional<atmo::Error> AudioEngine::play(std::string_view zone, const SoundscapeSpec& spec, double level_db,
                                             std::chrono::milliseconds fade) {
  Impl& d = *impl_;
  std::optional<atmo::Error> error;
  const int index = d.zone_or_error(zone, error);
  if (error) return error;
  if (auto problem = validate_soundscape(spec)) return atmo::make_error(*problem);
  if (std::isnan(level_db)) return atmo::make_error("level must be a number of dB");
  const std::uint64_t sequence = ++d.sequence;
  {
    std::lock_guard lock(d.requested_mutex);
    d.requested[static_cast<std::size_t>(index)] = {spec.id, sequence, {}};
  }
  {
    std::lock_guard lock(d.jobs_mutex);
    d.jobs.push_back({index, spec, level_db, d.mixer.frames_for(static_cast<double>(fade.count())), sequence});
  }
  d.jobs_cv.notify_one();
  return std::nullopt;
}

std::optional<atmo::Error> AudioEngine::set_level(std::string_view zone, double level_db,
                                                  std::chrono::milliseconds fade) {
  Impl& d = *impl_;
  std::optional<atmo::Error> error;
  const int index = d.zone_or_error(zone, error);
  if (error) return error;
  if (std::isnan(level_db)) return atmo::make_error("level must be a number of dB");
  return d.send({MixerCommand::Kind::SetLevel, index, level_db, d.mixer.frames_for(static_cast<double>(fade.count())),
                 ++d.sequence, nullptr});
}

std::optional<atmo::Error> AudioEngine::fade_out(std::string_view zone, std::chrono::milliseconds fade) {
  Impl& d = *impl_;
  std::optional<atmo::Error> error;
  const int index = d.zone_or_error(zone, error);
  if (error) return error;
  const std::uint64_t sequence = ++d.sequence;
  {
    std::lock_guard lock(d.requested_mutex);
    d.requested[static_cast<std::size_t>(index)] = {{}, sequence, {}};
  }
  return d.send({MixerCommand::Kind::FadeOut, index, kSilenceDb, d.mixer.frames_for(static_cast<double>(fade.count())),
                 sequence, nullptr});
}

std::optional<atmo::Error> AudioEngine::test_tone(std::string_view zone, double level_db, double frequency_hz,
                                                  std::chrono::milliseconds duration) {
  Impl& d = *impl_;
  std::optional<atmo::Error> error;
  const int index = d.zone_or_error(zone, error);
  if (error) return error;
  if (std::isnan(level_db) || std::isnan(frequency_hz)) return atmo::make_error("level and frequency must be numbers");
  MixerCommand command{MixerCommand::Kind::Tone, index, level_db, 0, 0, nullptr};
  command.duration_frames = d.mixer.frames_for(static_cast<double>(duration.count()));
  command.frequency_hz = frequency_hz;
  return d.send(command);
}

void AudioEngine::set_muted(bool muted) {
  if (impl_->muted.exchange(muted) != muted) spdlog::warn("audio: {}", muted ? "muted (alarm)" : "unmuted");
}

EngineStatus AudioEngine::status() const {
  const Impl& d = *impl_;
  EngineStatus s;
  {
    std::lock_guard lock(d.device_mutex);
    s.state = d.state;
    s.reason = d.reason;
    s.device = d.device;
  }
  s.muted = d.muted.load();
  s.callbacks = d.callbacks.load();
  s.output_underflows = d.output_underflows.load();
  s.ring_underruns = d.ring_underruns.load();
  s.device_attempts = d.attempts.load();
  s.cpu_load = d.cpu_load.load();
  std::lock_guard lock(d.requested_mutex);
  for (std::size_t i = 0; i < d.settings.zones.size(); ++i) {
    const auto index = static_cast<int>(i);
    ZoneStatus z;
    z.zone = d.settings.zones[i].zone;
    z.cap_db = d.settings.zones[i].cap_db;
    z.soundscape = d.requested[i].soundscape;
    z.error = d.requested[i].error;
    z.loaded = d.requested[i].sequence == 0 || d.mixer.published_program_sequence(index) >= d.requested[i].sequence;
    z.level_db = d.mixer.published_level_db(index);
    s.zones.push_back(std::move(z));
  }
  return s;
}

}  // namespace atmo::audio
