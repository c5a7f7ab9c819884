// `atmo status`, `zones`, `scene`, `schedule`, `check`, `alarms`: the venue as the daemon sees it
// now, and the few changes staff make from a terminal.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "controller/cli/daemon_client.hpp"
#include "controller/cli/daemon_commands.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/cli/terminal.hpp"
#include "controller/cli/venue_text.hpp"

namespace atmo::cli {
namespace {

struct ReadOptions {
  DaemonOptions daemon;
  bool json = false;
};

struct ZonesOptions {
  ReadOptions read;
  std::string zone;
};

struct SceneOptions {
  DaemonOptions daemon;
  std::string zone;
  std::string scene;
  unsigned hold_minutes = 0;
  std::string reason;
  bool json = false;
};

struct ScheduleOptions {
  ReadOptions read;
  std::string day = "today";
};

struct AckOptions {
  DaemonOptions daemon;
  std::string id;
  std::string note;
  bool json = false;
};

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

int run_status(const ReadOptions& o) {
  constexpr const char* kName = "status";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto status = client->get<v1::StatusView>("/api/v1/status");
  if (!status) return report_failure(kName, status.failure());
  auto venue = client->get<v1::VenueInfo>("/api/v1/venue");
  if (!venue) return report_failure(kName, venue.failure());
  auto zones = client->get<v1::ZoneList>("/api/v1/zones");
  if (!zones) return report_failure(kName, zones.failure());
  auto alarms = client->get<v1::AlarmList>("/api/v1/alarms");
  if (!alarms) return report_failure(kName, alarms.failure());
  auto devices = client->get<v1::DevicesView>("/api/v1/devices");
  if (!devices) return report_failure(kName, devices.failure());
  if (o.json) {
    std::cout << "{\"status\":" << message_json(*status) << ",\"zones\":" << message_json(*zones)
              << ",\"alarms\":" << message_json(*alarms) << ",\"devices\":" << message_json(*devices) << "}\n";
    return kExitOk;
  }

  const Painter paint = Painter::for_stdout();
  const VenueText text(*venue);
  const VenueTime time(venue->time_zone());
  const auto now = status->time_ms();
  std::cout << paint(text.venue_name(), Colour::bold) << " · day part " << status->day_part() << " · "
            << time.clock(now) << " " << time.zone_name() << " · " << client->url().text << "\n";
  if (status->simulated_time()) {
    std::ostringstream rate;
    rate << status->clock_rate();
    std::cout << paint("SIMULATED TIME: venue time " + status->venue_time() + ", x" + rate.str() +
                           " real time (started with --clock/--rate; not the wall clock)",
                       Colour::yellow)
              << "\n";
  }
  if (status->fire_alarm()) {
    std::cout << paint("FIRE ALARM: lights full, audio muted, diffusers off; scenes locked until it clears", Colour::red)
              << "\n";
  }
  std::cout << "\n";
  TextTable table({"ZONE", "SCENE", "SIGHT", "HEAR", "SMELL", "TOUCH", "TASTE", "NOTE"});
  for (const auto& z : zones->zones()) {
    std::vector<std::string> row{z.zone(), z.scene().empty() ? "-" : z.scene()};
    for (const auto sense : kSenses) row.push_back(sense_cell(paint, sense_state(z, sense)));
    row.push_back(scene_note(z, time));
    table.add(std::move(row));
  }
  table.print(std::cout, paint);
  std::cout << "\n";

  std::cout << paint("Alarms ", Colour::bold);
  if (alarms->alarms().empty()) {
    std::cout << paint("none", Colour::green) << "\n";
  } else {
    std::cout << status->active_alarms() << " active, " << status->unacknowledged_alarms() << " unacknowledged\n";
    constexpr int kShown = 5;
    int shown = 0;
    for (const auto& a : alarms->alarms()) {
      if (shown++ == kShown) {
        std::cout << "  … " << alarms->alarms_size() - kShown << " more: atmo alarms\n";
        break;
      }
      std::cout << "  " << time.clock(a.since_ms()) << "  " << paint(a.message(), a.acknowledged() ? Colour::none : Colour::red)
                << (a.acknowledged() ? "  (acknowledged by " + a.acked_by() + ")" : "") << "\n";
    }
  }

  int online = 0;
  double worst_p99 = 0;
  for (const auto& d : devices->devices()) {
    if (d.online()) ++online;
    worst_p99 = std::max(worst_p99, d.latency_p99_ms());
  }
  std::cout << paint("Devices", Colour::bold) << " " << online << " of " << devices->devices_size() << " online on "
            << devices->buses_size() << " bus" << (devices->buses_size() == 1 ? "" : "es") << ", worst p99 latency "
            << number(worst_p99, 2) << " ms\n";
  for (const auto& d : devices->devices()) {
    if (d.online()) continue;
    std::cout << "  " << paint("offline", Colour::red) << "  " << d.device_id() << "  bus " << d.bus_id() << " unit "
              << d.unit() << (d.last_error().empty() ? std::string(d.ever_answered() ? "" : ": never answered")
                                                      : ": " + d.last_error() + ", " + age(d.last_error_ms(), now) + " ago")
              << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// zones
// ---------------------------------------------------------------------------------------------

int run_zones(const ZonesOptions& o) {
  constexpr const char* kName = "zones";
  auto client = DaemonClient::open(o.read.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto venue = client->get<v1::VenueInfo>("/api/v1/venue");
  if (!venue) return report_failure(kName, venue.failure());
  const Painter paint = Painter::for_stdout();
  const VenueText text(*venue);
  const VenueTime time(venue->time_zone());
  auto status = client->get<v1::StatusView>("/api/v1/status");
  if (!status) return report_failure(kName, status.failure());
  const auto now = status->time_ms();

  if (o.zone.empty()) {
    auto zones = client->get<v1::ZoneList>("/api/v1/zones");
    if (!zones) return report_failure(kName, zones.failure());
    if (o.read.json) {
      std::cout << message_json(*zones) << "\n";
      return kExitOk;
    }
    TextTable table({"ZONE", "NAME", "SCENE", "SINCE", "BY", "HOLD", "SOUND", "STATE"});
    for (const auto& z : zones->zones()) {
      table.add({z.zone(), text.zone_name(z.zone()), z.scene().empty() ? "-" : z.scene(),
                 z.since_ms() ? time.clock(z.since_ms()) : "-", z.cause_who().empty() ? "-" : z.cause_who(),
                 hold_text(z.hold(), time) + (z.overrides_size() ? ", " + std::to_string(z.overrides_size()) + " override(s)" : ""),
                 sound_text(z), paint.state(worst_state(z))});
    }
    table.print(std::cout, paint);
    return kExitOk;
  }

  auto zone = client->get<v1::ZoneStatus>("/api/v1/zones/" + path_segment(o.zone));
  if (!zone) return report_failure(kName, zone.failure());
  if (o.read.json) {
    std::cout << message_json(*zone) << "\n";
    return kExitOk;
  }
  const auto& z = *zone;
  std::cout << paint(text.zone_name(z.zone()), Colour::bold) << " (" << z.zone() << ")\n"
            << "  scene    " << (z.scene().empty() ? "-" : z.scene() + " — " + text.scene_name(z.zone(), z.scene()))
            << "\n";
  if (z.since_ms()) {
    std::cout << "  since    " << time.date_time(z.since_ms()) << " by " << z.cause_who()
              << (z.cause_why().empty() ? "" : " (" + z.cause_why() + ")") << "\n";
  }
  std::cout << "  hold     " << hold_text(z.hold(), time) << "\n"
            << "  sound    " << sound_text(z) << "\n"
            << "  senses  ";
  for (const auto sense : kSenses) std::cout << " " << sense_word(sense) << " " << paint.state(sense_state(z, sense));
  std::cout << "\n  scenes   " << text.scene_ids(z.zone()) << "\n";
  // A diagnostic write holds until the zone's next scene change: say so, or the zone looks
  // as if its scene were not applied.
  for (const auto& ov : z.overrides()) {
    std::cout << "  override " << ov.point() << " = " << number(ov.value(), 2) << " by " << ov.who() << " since "
              << time.clock(ov.since_ms()) << " (until the next scene change)\n";
  }
  std::cout << "\n";
  TextTable readings({"POINT", "VALUE", "UNIT", "QUALITY", "AGE"});
  readings.align_right({1});
  for (const auto& r : z.readings()) {
    readings.add({r.point(), r.time_ms() ? number(r.value(), 2) : "-", r.unit(), quality_text(paint, r),
                  r.time_ms() ? age(r.time_ms(), now) : "never"});
  }
  readings.print(std::cout, paint);
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// scene
// ---------------------------------------------------------------------------------------------

v1::SceneRequest scene_request(const SceneOptions& o) {
  v1::SceneRequest request;
  request.set_scene(o.scene);
  request.set_hold_minutes(o.hold_minutes);
  request.set_reason(o.reason.empty() ? "atmo CLI" : o.reason);
  return request;
}

int run_scene_set(const SceneOptions& o) {
  constexpr const char* kName = "scene set";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto zone = client->post<v1::ZoneStatus>("/api/v1/zones/" + path_segment(o.zone) + "/scene", scene_request(o));
  if (!zone) return report_failure(kName, zone.failure());
  if (o.json) {
    std::cout << message_json(*zone) << "\n";
    return kExitOk;
  }
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=1");
  const VenueTime time(schedule ? schedule->time_zone() : std::string());
  std::cout << zone->zone() << ": scene " << zone->scene() << " (fade " << zone->fade_ms() / 1000 << " s), "
            << hold_text(zone->hold(), time) << "\n";
  return kExitOk;
}

int run_scene_venue(const SceneOptions& o) {
  constexpr const char* kName = "scene venue";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto zones = client->post<v1::ZoneList>("/api/v1/venue/scene", scene_request(o));
  if (!zones) return report_failure(kName, zones.failure());
  if (o.json) {
    std::cout << message_json(*zones) << "\n";
    return kExitOk;
  }
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=1");
  const VenueTime time(schedule ? schedule->time_zone() : std::string());
  const Painter paint = Painter::for_stdout();
  std::cout << "venue scene " << o.scene << ":\n";
  TextTable table({"ZONE", "SCENE", "HOLD"}, "  ");
  for (const auto& z : zones->zones()) table.add({z.zone(), z.scene(), hold_text(z.hold(), time)});
  table.print(std::cout, paint);
  return kExitOk;
}

int run_scene_list(const ZonesOptions& o) {
  constexpr const char* kName = "scene list";
  auto client = DaemonClient::open(o.read.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto venue = client->get<v1::VenueInfo>("/api/v1/venue");
  if (!venue) return report_failure(kName, venue.failure());
  if (o.read.json) {
    std::cout << message_json(*venue) << "\n";
    return kExitOk;
  }
  const Painter paint = Painter::for_stdout();
  const VenueText text(*venue);
  bool found = o.zone.empty();
  for (const auto& z : venue->zones()) {
    if (!o.zone.empty() && z.id() != o.zone) continue;
    found = true;
    std::cout << paint(z.id(), Colour::bold) << " (" << text.zone_name(z.id()) << ")\n";
    for (const auto& s : z.scenes()) std::cout << "  " << s.id() << " — " << text.scene_name(z.id(), s.id()) << "\n";
  }
  if (!found) return report_failure(kName, {kExitUsage, "no zone '" + o.zone + "' (zones: " + text.zone_ids() + ")"});
  if (o.zone.empty()) {
    std::cout << paint("venue scenes", Colour::bold) << " (atmo scene venue NAME)\n";
    for (const auto& vs : venue->venue_scenes()) std::cout << "  " << vs.id() << " — " << text.name(vs.name(), vs.id()) << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// schedule
// ---------------------------------------------------------------------------------------------

int run_schedule(const ScheduleOptions& o) {
  constexpr const char* kName = "schedule";
  auto client = DaemonClient::open(o.read.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=2");
  if (!schedule) return report_failure(kName, schedule.failure());
  if (o.read.json) {
    std::cout << message_json(*schedule) << "\n";
    return kExitOk;
  }
  const Painter paint = Painter::for_stdout();
  const bool today = o.day == "today";
  const auto& program = today ? schedule->today_program() : schedule->tomorrow_program();
  std::cout << paint(today ? "Today" : "Tomorrow", Colour::bold) << " " << program.date() << " ("
            << schedule->time_zone() << "): program " << paint(program.program(), Colour::bold) << " — "
            << program.reason() << (program.exception() ? " [exception]" : "") << "\n";
  std::vector<v1::ChangeView> changes;
  if (today) {
    changes.assign(schedule->today_changes().begin(), schedule->today_changes().end());
  } else {
    for (const auto& c : schedule->upcoming()) {
      if (c.date() == program.date()) changes.push_back(c);
    }
  }
  if (changes.empty()) std::cout << "  no scheduled changes\n";
  const auto& active = schedule->active();
  for (const auto& c : changes) {
    const bool now = today && active.at_ms() != 0 && c.at_ms() == active.at_ms();
    std::cout << (now ? paint("▶ ", Colour::green) : std::string("  ")) << c.local_time() << "  " << c.venue_scene()
              << (now ? paint("  (now)", Colour::green) : "") << (c.shifted() ? "  shifted: " + c.reason() : "") << "\n";
  }
  if (today) {
    for (const auto& c : schedule->upcoming()) {
      if (c.at_ms() <= active.at_ms()) continue;
      std::cout << "next: " << (c.date() == program.date() ? "" : c.date() + " ") << c.local_time() << " "
                << c.venue_scene() << "\n";
      break;
    }
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

int run_check(const ReadOptions& o) {
  constexpr const char* kName = "check";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto compliance = client->get<v1::ComplianceNow>("/api/v1/compliance");
  if (!compliance) return report_failure(kName, compliance.failure());
  std::vector<std::string> out_of_standard;
  for (const auto& z : compliance->zones()) {
    for (const auto& s : z.senses()) {
      if (s.state() == "out_of_standard") {
        out_of_standard.push_back(z.zone());
        break;
      }
    }
  }
  const int code = out_of_standard.empty() ? kExitOk : kExitFailure;
  if (o.json) {
    std::cout << message_json(*compliance) << "\n";
    return code;
  }
  auto status = client->get<v1::StatusView>("/api/v1/status");
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=1");
  const VenueTime time(schedule ? schedule->time_zone() : std::string());
  const auto now = status ? status->time_ms() : 0;
  const Painter paint = Painter::for_stdout();
  std::cout << "Compliance now, day part " << compliance->day_part() << (now ? ", " + time.clock(now) : "") << "\n\n";
  TextTable table({"ZONE", "SIGHT", "HEAR", "SMELL", "TOUCH", "TASTE"});
  for (const auto& z : compliance->zones()) {
    std::vector<std::string> row{z.zone()};
    for (const auto sense : kSenses) {
      std::string state = "not_applicable";
      for (const auto& s : z.senses()) {
        if (s.sense() == sense) state = s.state();
      }
      row.push_back(sense_cell(paint, state));
    }
    table.add(std::move(row));
  }
  table.print(std::cout, paint);

  // What is wrong, worst first: every criterion and checklist item not ok.
  struct Finding {
    int severity;
    std::vector<std::string> cells;
  };
  std::vector<Finding> findings;
  for (const auto& z : compliance->zones()) {
    for (const auto& c : z.criteria()) {
      if (c.state() == "ok" || c.state() == "not_applicable") continue;
      std::string what = c.id() + ": " + (c.has_value() ? number(c.last_value(), 2) : std::string("no reading")) +
                         " (standard " + number(c.range().min(), 2) + ".." + number(c.range().max(), 2) + ")";
      if (c.outside_since_ms() && now) what += " for " + age(c.outside_since_ms(), now);
      findings.push_back({severity(c.state()), {paint.state(c.state()), z.zone(), std::string(sense_word(c.sense())), what}});
    }
    for (const auto& item : z.checklist()) {
      if (item.state() == "ok" || item.state() == "not_applicable") continue;
      std::string what = item.id() + ": " +
                         (item.confirmed_ms() ? "confirmed " + time.clock(item.confirmed_ms()) + " by " + item.confirmed_by()
                                              : std::string("not confirmed")) +
                         (item.due_ms() ? ", due " + time.clock(item.due_ms()) : "");
      findings.push_back({severity(item.state()), {paint.state(item.state()), z.zone(), std::string(sense_word(item.sense())), what}});
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) { return a.severity > b.severity; });
  if (!findings.empty()) {
    std::cout << "\n";
    TextTable details({"STATE", "ZONE", "SENSE", "WHAT"}, "  ");
    for (auto& f : findings) details.add(std::move(f.cells));
    details.print(std::cout, paint);
  }
  std::cout << "\n";
  if (out_of_standard.empty()) {
    std::cout << paint("every zone is within its standard", Colour::green) << "\n";
  } else {
    std::string list;
    for (const auto& z : out_of_standard) list += (list.empty() ? "" : ", ") + z;
    std::cout << paint(std::to_string(out_of_standard.size()) + " zone" + (out_of_standard.size() == 1 ? "" : "s") +
                           " out of standard: " + list,
                       Colour::red)
              << "\n";
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// alarms
// ---------------------------------------------------------------------------------------------

int run_alarms(const ReadOptions& o) {
  constexpr const char* kName = "alarms";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  auto alarms = client->get<v1::AlarmList>("/api/v1/alarms");
  if (!alarms) return report_failure(kName, alarms.failure());
  if (o.json) {
    std::cout << message_json(*alarms) << "\n";
    return kExitOk;
  }
  if (alarms->alarms().empty()) {
    std::cout << "no active alarms\n";
    return kExitOk;
  }
  auto status = client->get<v1::StatusView>("/api/v1/status");
  auto schedule = client->get<v1::ScheduleView>("/api/v1/schedule?days=1");
  const VenueTime time(schedule ? schedule->time_zone() : std::string());
  const auto now = status ? status->time_ms() : 0;
  const Painter paint = Painter::for_stdout();
  for (const auto& a : alarms->alarms()) {
    std::cout << time.clock(a.since_ms()) << "  " << (a.zone().empty() ? "venue" : a.zone()) << "  "
              << paint(a.message(), a.acknowledged() ? Colour::none : Colour::red) << "\n"
              << "       id " << a.id() << " · " << (now ? age(a.since_ms(), now) + " · " : "");
    if (a.acknowledged()) {
      std::cout << "acknowledged by " << a.acked_by() << " at " << time.clock(a.acked_ms())
                << (a.ack_note().empty() ? "" : ": " + a.ack_note());
    } else {
      std::cout << paint("unacknowledged", Colour::yellow);
    }
    std::cout << "\n";
  }
  return kExitOk;
}

int run_alarm_ack(const AckOptions& o) {
  constexpr const char* kName = "alarms ack";
  auto client = DaemonClient::open(o.daemon);
  if (!client) return report_failure(kName, client.failure());
  v1::AckRequest request;
  request.set_note(o.note);
  auto alarm = client->post<v1::AlarmView>("/api/v1/alarms/" + path_segment(o.id) + "/ack", request);
  if (!alarm) return report_failure(kName, alarm.failure());
  if (o.json) {
    std::cout << message_json(*alarm) << "\n";
    return kExitOk;
  }
  std::cout << "acknowledged: " << alarm->message() << " (by " << alarm->acked_by() << ")\n";
  return kExitOk;
}

void add_read_options(CLI::App* command, ReadOptions& o, const std::string& json_help) {
  add_daemon_options(command, o.daemon);
  command->add_flag("--json", o.json, json_help);
}

}  // namespace

void add_venue_commands(CLI::App& app) {
  auto status = std::make_shared<ReadOptions>();
  auto* st = app.add_subcommand("status", "The venue at a glance: zones, scenes, senses, alarms, devices");
  add_read_options(st, *status, "Print {\"status\", \"zones\", \"alarms\", \"devices\"} as the API's JSON");
  st->footer(
      "Senses: ok, drift (drifting), OUT (out of standard), n/d (no data), - (does not apply now).\n"
      "Needs 'atmo login' first. Exit codes: 0 shown, 4 daemon unreachable, 6 not logged in.\n\n"
      "Examples:\n"
      "  atmo status\n"
      "  atmo status --daemon https://spa-box:8443 --cacert spa-box.pem\n"
      "  watch -n 5 --color atmo status");
  st->callback([status] { throw CLI::RuntimeError(run_status(*status)); });

  auto zones = std::make_shared<ZonesOptions>();
  auto* zs = app.add_subcommand("zones", "Every zone's scene, hold, sound and state, or one zone in detail");
  zs->add_option("zone", zones->zone, "One zone: its scene, hold, senses and every reading");
  add_read_options(zs, zones->read, "Print the API's ZoneList (or ZoneStatus) JSON");
  zs->footer(
      "Examples:\n"
      "  atmo zones\n"
      "  atmo zones lounge\n"
      "  atmo zones lounge --json | jq '.readings[] | {point, value}'");
  zs->callback([zones] { throw CLI::RuntimeError(run_zones(*zones)); });

  auto* scene = app.add_subcommand("scene", "Change a zone's or the whole venue's scene; list the scenes");
  scene->require_subcommand(1);
  auto set = std::make_shared<SceneOptions>();
  auto* ss = scene->add_subcommand("set", "Apply a scene to one zone");
  ss->add_option("zone", set->zone, "Zone id (atmo zones)")->required();
  ss->add_option("scene", set->scene, "Scene id of that zone (atmo scene list ZONE)")->required();
  ss->add_option("--hold", set->hold_minutes, "Hold for this many minutes, then back to the schedule (0: until the next scheduled change)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 7u * 24u * 60u));
  ss->add_option("--reason", set->reason, "Why, for the audit log");
  ss->add_flag("--json", set->json, "Print the zone's new ZoneStatus as JSON");
  add_daemon_options(ss, set->daemon);
  ss->footer(
      "Refused (exit 6) when your role may not change that zone; refused (exit 1) while the fire alarm is\n"
      "active; exit 2 for an unknown zone or scene.\n\n"
      "Examples:\n"
      "  atmo scene set lounge evening\n"
      "  atmo scene set treatment-1 massage --hold 60 --reason \"late booking\"");
  ss->callback([set] { throw CLI::RuntimeError(run_scene_set(*set)); });

  auto venue = std::make_shared<SceneOptions>();
  auto* sv = scene->add_subcommand("venue", "Apply a venue scene: one scene in every zone");
  sv->add_option("scene", venue->scene, "Venue scene id (atmo scene list)")->required();
  sv->add_option("--hold", venue->hold_minutes, "Hold for this many minutes (0: until the next scheduled change)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 7u * 24u * 60u));
  sv->add_option("--reason", venue->reason, "Why, for the audit log");
  sv->add_flag("--json", venue->json, "Print the zones' new ZoneList as JSON");
  add_daemon_options(sv, venue->daemon);
  sv->footer(
      "Examples:\n"
      "  atmo scene venue evening\n"
      "  atmo scene venue cleaning --reason \"closing early\"");
  sv->callback([venue] { throw CLI::RuntimeError(run_scene_venue(*venue)); });

  auto list = std::make_shared<ZonesOptions>();
  auto* sl = scene->add_subcommand("list", "The scenes of every zone (or one) and the venue scenes");
  sl->add_option("zone", list->zone, "Only this zone");
  add_read_options(sl, list->read, "Print the API's VenueInfo JSON");
  sl->footer(
      "Examples:\n"
      "  atmo scene list\n"
      "  atmo scene list lounge");
  sl->callback([list] { throw CLI::RuntimeError(run_scene_list(*list)); });

  auto schedule = std::make_shared<ScheduleOptions>();
  auto* sc = app.add_subcommand("schedule", "Today's or tomorrow's program and scene changes");
  sc->add_option("day", schedule->day, "today or tomorrow")->capture_default_str()->check(CLI::IsMember({"today", "tomorrow"}));
  add_read_options(sc, schedule->read, "Print the API's ScheduleView JSON (both days)");
  sc->footer(
      "Times are the venue's local time. Exceptions (holidays, private events) show as [exception].\n\n"
      "Examples:\n"
      "  atmo schedule\n"
      "  atmo schedule tomorrow");
  sc->callback([schedule] { throw CLI::RuntimeError(run_schedule(*schedule)); });

  auto check = std::make_shared<ReadOptions>();
  auto* ch = app.add_subcommand("check", "Compliance now: is every zone within its sensory standard?");
  add_read_options(ch, *check, "Print the API's ComplianceNow JSON (the exit code still tells)");
  ch->footer(
      "Lists every criterion and checklist item that is not ok, worst first.\n"
      "Exit codes: 0 every zone within its standard (drifting or missing data alone do not fail),\n"
      "1 at least one zone out of standard, 4 daemon unreachable, 6 not logged in.\n\n"
      "Examples:\n"
      "  atmo check\n"
      "  atmo check --json > compliance.json || notify-send \"spa out of standard\"");
  ch->callback([check] { throw CLI::RuntimeError(run_check(*check)); });

  auto alarms = std::make_shared<ReadOptions>();
  auto* al = app.add_subcommand("alarms", "Active alarms; 'atmo alarms ack ID' acknowledges one");
  add_read_options(al, *alarms, "Print the API's AlarmList JSON");
  al->footer(
      "Acknowledging records who saw an alarm; it clears only when its cause goes away.\n\n"
      "Examples:\n"
      "  atmo alarms\n"
      "  atmo alarms ack criterion:lounge.co2:1763890000000 --note \"window opened\"");
  auto ack = std::make_shared<AckOptions>();
  auto* ak = al->add_subcommand("ack", "Acknowledge an alarm");
  ak->add_option("id", ack->id, "Alarm id, as 'atmo alarms' shows it")->required();
  ak->add_option("--note", ack->note, "What was done, for the log");
  ak->add_flag("--json", ack->json, "Print the AlarmView JSON");
  add_daemon_options(ak, ack->daemon);
  ak->footer(
      "Exit 2 when no such alarm is active (it may have ended), 6 when your role may not acknowledge it.\n\n"
      "Example:\n"
      "  atmo alarms ack device:lounge.air:1763890000000 --note \"cable replaced\"");
  ak->callback([ack] { throw CLI::RuntimeError(run_alarm_ack(*ack)); });
  al->callback([alarms, al] {
    if (al->got_subcommand("ack")) return;
    throw CLI::RuntimeError(run_alarms(*alarms));
  });
}

}  // namespace atmo::cli
