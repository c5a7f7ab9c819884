// `atmo devices`, `atmo sensors watch`, `atmo audio test-tone`: what a technician looks at through
// the daemon (its own bus statistics, live readings) and the one sound check it can trigger.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/cli/daemon_client.hpp"
#include "controller/cli/daemon_commands.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/cli/terminal.hpp"
#include "controller/cli/venue_text.hpp"

namespace atmo::cli {
namespace {

struct DevicesOptions {
  DaemonOptions daemon;
  bool json = false;
  bool problems = false;
};

struct WatchOptions {
  DaemonOptions daemon;
  std::string zone;
  bool once = false;
  unsigned count = 0;
  bool json = false;
};

struct ToneOptions {
  DaemonOptions daemon;
  std::string zone;
  double seconds = 5.0;
  std::optional<double> level_db;
  std::string reason;
  bool json = false;
};

std::string ms_text(double ms) { return ms > 0 ? number(ms, 2) : "-"; }

// ---------------------------------------------------------------------------------------------
// devices
// ---------------------------------------------------------------------------------------------

int run_devices(const DevicesOptions& o) {
  constexpr const char* kName = "devices";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto devices = client->get<v1::DevicesView>("/api/v1/devices");
  if (!devices) return report_failure(kName, devices.failure());
  if (o.json) {
    std::cout << message_json(*devices) << "\n";
    return kExitOk;
  }
  auto status = client->get<v1::StatusView>("/api/v1/status");
  const auto now = status ? status->time_ms() : 0;
  const Painter paint = Painter::for_stdout();
  TextTable table({"DEVICE", "BUS", "UNIT", "STATE", "REQUESTS", "ERRORS", "TIMEOUTS", "P50 ms", "P99 ms", "LAST ERROR"});
  table.align_right({2, 4, 5, 6, 7, 8});
  int shown = 0;
  for (const auto& d : devices->devices()) {
    const bool problem = !d.online() || d.errors() > 0 || d.timeouts() > 0;
    if (o.problems && !problem) continue;
    ++shown;
    const std::string state = d.online() ? "online" : "offline";
    std::string last = d.last_error();
    if (!last.empty() && d.last_error_ms() && now) last += " (" + age(d.last_error_ms(), now) + " ago)";
    if (!d.ever_answered()) last = last.empty() ? "never answered" : last + ", never answered";
    table.add({d.device_id(), d.bus_id(), std::to_string(d.unit()), paint.state(state), std::to_string(d.requests()),
               d.errors() ? paint(std::to_string(d.errors()), Colour::yellow) : "0",
               d.timeouts() ? paint(std::to_string(d.timeouts()), Colour::yellow) : "0", ms_text(d.latency_p50_ms()),
               ms_text(d.latency_p99_ms()), last.empty() ? "-" : last});
  }
  if (shown == 0) {
    std::cout << (o.problems ? "every device is online, with no errors\n" : "the venue has no devices\n");
  } else {
    table.print(std::cout, paint);
  }
  if (!devices->buses().empty()) {
    std::cout << "\n";
    TextTable buses({"BUS", "ENDPOINT", "CONNECTED", "CONNECTS", "FAILED", "READS", "WRITES", "SKIPPED", "LAST ERROR"});
    buses.align_right({3, 4, 5, 6, 7});
    for (const auto& b : devices->buses()) {
      buses.add({b.bus_id(), b.endpoint(), paint.state(b.connected() ? "online" : "offline"), std::to_string(b.connects()),
                 std::to_string(b.connect_failures()), std::to_string(b.reads()), std::to_string(b.writes()),
                 std::to_string(b.skipped_polls()), b.last_error().empty() ? "-" : b.last_error()});
    }
    buses.print(std::cout, paint);
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// sensors watch
// ---------------------------------------------------------------------------------------------

/// The readings being watched, in the venue's order, with each point's standard (if any).
class SensorBoard {
 public:
  SensorBoard(const v1::VenueInfo& venue, const std::string& zone) {
    for (const auto& z : venue.zones()) {
      if (!zone.empty() && z.id() != zone) continue;
      for (const auto& c : z.criteria()) ranges_[z.id() + "." + c.point()] = c.range();
      for (const auto& p : z.points()) {
        index_[p.id()] = readings_.size();
        v1::LiveReading empty;
        empty.set_point(p.id());
        empty.set_unit(p.unit());
        readings_.push_back(std::move(empty));
      }
    }
  }

  /// Takes the readings it watches; returns whether any was new.
  bool update(const google::protobuf::RepeatedPtrField<v1::LiveReading>& readings) {
    bool changed = false;
    for (const auto& r : readings) {
      auto it = index_.find(r.point());
      if (it == index_.end()) continue;
      readings_[it->second] = r;
      changed = true;
    }
    return changed;
  }

  v1::ReadingBatch batch() const {
    v1::ReadingBatch out;
    for (const auto& r : readings_) *out.add_readings() = r;
    return out;
  }

  void print(std::ostream& out, const Painter& paint, std::int64_t now) const {
    TextTable table({"POINT", "VALUE", "UNIT", "STANDARD", "QUALITY", "AGE"});
    table.align_right({1});
    for (const auto& r : readings_) {
      std::string value = r.time_ms() ? number(r.value(), 2) : "-";
      std::string standard = "-";
      if (auto it = ranges_.find(r.point()); it != ranges_.end()) {
        standard = number(it->second.min(), 2) + ".." + number(it->second.max(), 2);
        if (r.time_ms() && (r.value() < it->second.min() || r.value() > it->second.max())) value = paint(value, Colour::red);
      }
      table.add({r.point(), value, r.unit(), standard, quality_text(paint, r), r.time_ms() ? age(r.time_ms(), now) : "-"});
    }
    table.print(out, paint);
  }

  bool empty() const { return readings_.empty(); }

 private:
  std::vector<v1::LiveReading> readings_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, v1::Range> ranges_;
};

int run_sensors_watch(const WatchOptions& o) {
  constexpr const char* kName = "sensors watch";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto venue = client->get<v1::VenueInfo>("/api/v1/venue");
  if (!venue) return report_failure(kName, venue.failure());
  if (!o.zone.empty() && std::none_of(venue->zones().begin(), venue->zones().end(),
                                      [&](const v1::ZoneInfo& z) { return z.id() == o.zone; })) {
    return report_failure(kName, {kExitUsage, "no zone '" + o.zone + "' (zones: " + VenueText(*venue).zone_ids() + ")"});
  }
  SensorBoard board(*venue, o.zone);
  if (board.empty()) {
    return report_failure(kName, {kExitFailure, (o.zone.empty() ? std::string("the venue") : o.zone) + " has no points"});
  }
  auto zones = client->get<v1::ZoneList>("/api/v1/zones");
  if (!zones) return report_failure(kName, zones.failure());
  auto status = client->get<v1::StatusView>("/api/v1/status");
  if (!status) return report_failure(kName, status.failure());
  for (const auto& z : zones->zones()) board.update(z.readings());
  // The daemon's clock, carried forward by ours: ages stay right when the two clocks differ.
  const auto daemon_now_at_start = status->time_ms();
  const auto start = std::chrono::steady_clock::now();
  const auto daemon_now = [&] {
    return daemon_now_at_start +
           std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  };

  const Painter paint = Painter::for_stdout();
  const VenueTime time(venue->time_zone());
  const bool live_screen = stdout_is_terminal() && !o.json;
  const unsigned limit = o.once ? 1 : o.count;
  unsigned shown = 0;
  auto show = [&] {
    if (o.json) {
      std::cout << message_json(board.batch()) << "\n" << std::flush;
      return;
    }
    if (live_screen) clear_screen(std::cout);
    const auto now = daemon_now();
    std::cout << paint("Sensors" + (o.zone.empty() ? std::string() : " in " + o.zone), Colour::bold) << " · "
              << time.clock_seconds(now) << " " << time.zone_name()
              << (live_screen ? " · live, Ctrl-C stops" : "") << "\n";
    board.print(std::cout, paint, now);
    if (!live_screen) std::cout << "\n";
    std::cout << std::flush;
  };
  show();
  if (limit != 0 && ++shown >= limit) return kExitOk;

  if (auto opened = client->open_events(); !opened) return report_failure(kName, opened.failure());
  // An open WebSocket alone does not keep a session alive (docs/api.md): a request now and then
  // does, so a watch left running is not logged out after the idle time.
  constexpr auto kKeepAlive = std::chrono::minutes(1);
  auto last_request = std::chrono::steady_clock::now();
  for (;;) {
    if (std::chrono::steady_clock::now() - last_request > kKeepAlive) {
      if (auto me = client->get<v1::Session>("/api/v1/me"); !me) return report_failure(kName, me.failure());
      last_request = std::chrono::steady_clock::now();
    }
    auto frame = client->next_event(std::chrono::milliseconds(1000));
    if (!frame) return report_failure(kName, frame.failure());
    if (!frame->has_value()) {
      if (live_screen) show();  // ages move on even when nothing new arrives
      continue;
    }
    const auto& message = **frame;
    if (message.type() == "session_expired") {
      return report_failure(kName, {kExitDenied, "your session ended (logged out or idle too long): run 'atmo login'"});
    }
    if (message.type() != "readings" || !board.update(message.readings().readings())) continue;
    show();
    if (limit != 0 && ++shown >= limit) return kExitOk;
  }
}

// ---------------------------------------------------------------------------------------------
// audio test-tone
// ---------------------------------------------------------------------------------------------

int run_test_tone(const ToneOptions& o) {
  constexpr const char* kName = "audio test-tone";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  v1::TestToneRequest request;
  request.set_seconds(o.seconds);
  if (o.level_db) request.set_level_db(*o.level_db);
  request.set_reason(o.reason.empty() ? "speaker check from the CLI" : o.reason);
  auto tone = client->post<v1::TestToneView>("/api/v1/zones/" + path_segment(o.zone) + "/test-tone", request);
  if (!tone) return report_failure(kName, tone.failure());
  if (o.json) {
    std::cout << message_json(*tone) << "\n";
    return kExitOk;
  }
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=1");
  const VenueTime time(schedule ? schedule->time_zone() : std::string());
  std::cout << tone->zone() << ": " << number(tone->frequency_hz(), 0) << " Hz test tone at " << number(tone->level_db())
            << " dBFS for " << number(tone->seconds()) << " s on " << (tone->device().empty() ? "the audio output" : tone->device())
            << "; the soundscape returns at " << time.clock_seconds(tone->until_ms()) << "\n";
  return kExitOk;
}

}  // namespace

void add_diagnostics_commands(CLI::App& app) {
  auto devices = std::make_shared<DevicesOptions>();
  auto* dv = app.add_subcommand("devices", "Every device's health as the daemon polls it, and its buses");
  dv->add_flag("--problems", devices->problems, "Only devices offline or with errors or timeouts");
  dv->add_flag("--json", devices->json, "Print the API's DevicesView JSON");
  add_daemon_options(dv, devices->daemon);
  dv->footer(
      "Latency p50/p99 are the daemon's own Modbus round trips to each device. To talk to a device\n"
      "directly, bypassing the daemon, use 'atmo modbus read|watch'.\n\n"
      "Examples:\n"
      "  atmo devices\n"
      "  atmo devices --problems\n"
      "  atmo devices --json | jq '.devices[] | select(.online | not) | .deviceId'");
  dv->callback([devices] { throw CLI::RuntimeError(run_devices(*devices)); });

  auto* sensors = app.add_subcommand("sensors", "Live sensor readings");
  sensors->require_subcommand(1);
  auto watch = std::make_shared<WatchOptions>();
  auto* sw = sensors->add_subcommand("watch", "A live table of every reading (of one zone), updated as they arrive");
  sw->add_option("zone", watch->zone, "Only this zone");
  sw->add_flag("--once", watch->once, "Print the table once and exit");
  sw->add_option("-n,--count", watch->count, "Exit after this many updates (0: until Ctrl-C)")->capture_default_str();
  sw->add_flag("--json", watch->json, "One ReadingBatch JSON line per update");
  add_daemon_options(sw, watch->daemon);
  sw->footer(
      "Readings arrive over the daemon's WebSocket (at most two updates a second). On a terminal the\n"
      "table redraws in place; otherwise each update is printed after the last. Values outside the\n"
      "zone's standard are red. The session stays alive while the watch runs.\n\n"
      "Examples:\n"
      "  atmo sensors watch lounge\n"
      "  atmo sensors watch --once\n"
      "  atmo sensors watch hammam --json --count 10 > hammam.jsonl");
  sw->callback([watch] { throw CLI::RuntimeError(run_sensors_watch(*watch)); });

  // `atmo audio` exists when the audio commands are registered first; otherwise create it.
  CLI::App* audio = nullptr;
  try {
    audio = app.get_subcommand("audio");
  } catch (const CLI::OptionNotFound&) {
    audio = app.add_subcommand("audio", "Audio through the daemon");
    audio->require_subcommand(1);
  }
  auto tone = std::make_shared<ToneOptions>();
  auto* tt = audio->add_subcommand("test-tone", "Play a 1 kHz test tone in a zone through the daemon (technician, admin)");
  tt->add_option("zone", tone->zone, "Zone whose speakers to check")->required();
  tt->add_option("--seconds", tone->seconds, "How long, 1..60 s")->capture_default_str()->check(CLI::Range(1.0, 60.0));
  tt->add_option("--level-db", tone->level_db, "Level in dBFS RMS (default: 10 dB under the zone's audio cap; never above it)")
      ->check(CLI::Range(-100.0, 0.0));
  tt->add_option("--reason", tone->reason, "Why, for the audit log");
  tt->add_flag("--json", tone->json, "Print the API's TestToneView JSON");
  add_daemon_options(tt, tone->daemon);
  tt->footer(
      "The tone replaces the zone's soundscape (10 ms fades) and the soundscape comes back by itself.\n"
      "Exit codes: 0 playing, 1 the daemon runs without audio (--no-audio) or the fire alarm is active,\n"
      "2 unknown zone or a level above the zone's cap, 4 no audio device or daemon unreachable,\n"
      "6 your role may not.\n\n"
      "Examples:\n"
      "  atmo audio test-tone lounge\n"
      "  atmo audio test-tone hammam --seconds 10 --level-db -40");
  tt->callback([tone] { throw CLI::RuntimeError(run_test_tone(*tone)); });
}

}  // namespace atmo::cli
