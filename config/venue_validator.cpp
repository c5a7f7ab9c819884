#include "config/venue_validator.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <date/date.h>
#include <date/tz.h>

#include "config/builtin_sounds.hpp"
#include "config/did_you_mean.hpp"
#include "config/fleet_validator.hpp"
#include "config/web_origin.hpp"
#include "config/yaml_mapper.hpp"

namespace atmo::config {
namespace pb = google::protobuf;

int parse_clock_time(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (text[static_cast<std::size_t>(i)] < '0' || text[static_cast<std::size_t>(i)] > '9') return -1;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

std::optional<int> parse_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    if (i == 4 || i == 7) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  y = std::stoi(text.substr(0, 4));
  m = std::stoi(text.substr(5, 2));
  d = std::stoi(text.substr(8, 2));
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd}.time_since_epoch().count();
}

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

/// An enum value as the venue file spells it; a number the schema does not define (a venue built
/// in code or decoded from protobuf, never from YAML) as that number.
std::string enum_name(const google::protobuf::EnumDescriptor* type, int number) {
  const auto* value = type->FindValueByNumber(number);
  return value ? YamlMapper::enum_yaml_name(*value) : std::to_string(number);
}

std::string fmt(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

template <class Messages>
std::vector<std::string> ids_of(const Messages& messages) {
  std::vector<std::string> ids;
  for (const auto& m : messages) ids.push_back(m.id());
  return ids;
}

unsigned registers_of(const v1::PointMap& p) {
  return (p.type() == v1::VALUE_TYPE_U32 || p.type() == v1::VALUE_TYPE_I32 || p.type() == v1::VALUE_TYPE_F32) ? 2 : 1;
}

bool bit_table(v1::RegisterTable t) { return t == v1::REGISTER_TABLE_COIL || t == v1::REGISTER_TABLE_DISCRETE; }

class Validator {
 public:
  Validator(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors)
      : venue_(venue), sources_(sources), errors_(errors) {}

  void run() {
    check_venue();
    check_buses();
    check_profiles();
    check_devices();
    check_audio();
    check_soundscapes();
    check_zones();
    check_venue_scenes();
    check_programs();
    check_week();
    check_exceptions();
    check_safety();
    check_storage_and_api();
  }

 private:
  void report(const pb::Message& at, const std::string& field, std::string message) {
    if (!field.empty() && sources_.invalid(&at, field)) return;  // already reported by the YAML mapper
    const Location loc = sources_.at(&at, field);
    errors_.push_back(Diagnostic{loc.file, loc.line, loc.column, std::move(message)});
  }

  // A required field that is absent: reported where the message starts, unless the field was
  // present but unreadable (the mapper has said so already).
  void report_missing(const pb::Message& at, const std::string& field, std::string message) {
    if (sources_.invalid(&at, field)) return;
    const Location loc = sources_.at(&at, "");
    errors_.push_back(Diagnostic{loc.file, loc.line, loc.column, std::move(message)});
  }

  template <class Messages>
  void unique_ids(const Messages& messages, const std::string& what, const std::string& scope = "") {
    std::set<std::string> seen;
    for (const auto& m : messages) {
      if (m.id().empty()) {
        report_missing(m, "id", "a " + what + scope + " has no id");
      } else if (!seen.insert(m.id()).second) {
        report(m, "id", "duplicate " + what + " id " + q(m.id()) + scope);
      }
    }
  }

  void require_english_name(const pb::Message& m, const pb::Map<std::string, std::string>& name, const std::string& what) {
    if (name.empty()) return;  // names are optional; the id is shown instead
    if (!name.contains("en")) report(m, "name", what + " has names but none in English ('en')");
  }

  void check_range(const pb::Message& m, const std::string& field, double value, double lo, double hi,
                   const std::string& what) {
    if (value < lo || value > hi) {
      report(m, field, what + " " + fmt(value) + " is out of range " + fmt(lo) + ".." + fmt(hi));
    }
  }

  void check_venue() {
    if (venue_.id().empty()) report(venue_, "", "the venue has no id");
    if (!venue_.name().contains("en")) report_missing(venue_, "name", "the venue needs a name in English ('en')");
    if (venue_.time_zone().empty()) {
      report_missing(venue_, "time_zone", "the venue has no time_zone (an IANA name such as 'Europe/Moscow')");
    } else {
      try {
        (void)date::locate_zone(venue_.time_zone());
      } catch (const std::exception&) {
        report(venue_, "time_zone", "unknown time zone " + q(venue_.time_zone()) +
                                        " (expected an IANA name such as 'Europe/Moscow')");
      }
    }
    if (venue_.zones_size() == 0) report(venue_, "", "the venue has no zones");
  }

  void check_buses() {
    unique_ids(venue_.buses(), "bus");
    for (const auto& bus : venue_.buses()) {
      if (bus.has_tcp()) {
        if (bus.tcp().host().empty()) report(bus.tcp(), "", "bus " + q(bus.id()) + " has no tcp host");
        check_range(bus.tcp(), "port", bus.tcp().port(), 0, 65535, "port");
      } else if (bus.has_rtu()) {
        const auto& rtu = bus.rtu();
        if (rtu.device().empty()) report(rtu, "", "bus " + q(bus.id()) + " has no rtu device (e.g. /dev/ttyUSB0)");
        static const std::set<unsigned> bauds{0, 1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200};
        if (!bauds.contains(rtu.baud())) report(rtu, "baud", "unusual baud rate " + std::to_string(rtu.baud()));
        if (rtu.data_bits() != 0 && rtu.data_bits() != 7 && rtu.data_bits() != 8) {
          report(rtu, "data_bits", "data_bits must be 7 or 8");
        }
        if (rtu.stop_bits() > 2) report(rtu, "stop_bits", "stop_bits must be 1 or 2");
      } else if (!bus.id().empty()) {
        report(bus, "", "bus " + q(bus.id()) + " needs either 'tcp' or 'rtu'");
      }
      check_range(bus, "max_registers_per_read", bus.max_registers_per_read(), 0, 125, "max_registers_per_read");
      check_range(bus, "response_timeout_ms", bus.response_timeout_ms(), 0, 60000, "response_timeout_ms");
    }
  }

  void check_point_map(const v1::DeviceProfile& profile, const v1::PointMap& p) {
    const std::string where = "point " + q(p.name()) + " of profile " + q(profile.id());
    if (p.name().empty()) report(p, "", "a point of profile " + q(profile.id()) + " has no name");
    if (p.name().find('.') != std::string::npos) report(p, "name", "point names cannot contain '.': " + q(p.name()));
    if (p.table() == v1::REGISTER_TABLE_UNSPECIFIED) {
      report_missing(p, "table", where + " has no table (coil, discrete, input or holding)");
    }
    if (bit_table(p.table()) && p.type() != v1::VALUE_TYPE_UNSPECIFIED && p.type() != v1::VALUE_TYPE_BOOL) {
      report(p, "type", where + ": a " + enum_name(v1::RegisterTable_descriptor(), p.table()) +
                            " holds one bit; type must be bool");
    }
    if (!bit_table(p.table()) && p.type() == v1::VALUE_TYPE_BOOL && !p.has_bit()) {
      report(p, "type", where + ": type bool in a register needs 'bit' (0..15)");
    }
    if (p.has_bit()) {
      if (bit_table(p.table())) report(p, "bit", where + ": 'bit' applies to registers, not to coils or discrete inputs");
      if (p.bit() > 15) report(p, "bit", where + ": bit " + std::to_string(p.bit()) + " is out of range 0..15");
      if (registers_of(p) != 1) report(p, "bit", where + ": 'bit' needs a 16-bit type");
    }
    if (p.order() != v1::WORD_ORDER_UNSPECIFIED && registers_of(p) != 2) {
      report(p, "order", where + ": word order applies to 32-bit types only");
    }
    if (p.address() > 65535) report(p, "address", where + ": address " + std::to_string(p.address()) + " is out of range 0..65535");
    if (p.has_scale() && p.scale() == 0) report(p, "scale", where + ": scale cannot be 0");
    if (p.has_range() && p.range().min() > p.range().max()) {
      report(p.range(), "", where + ": range min " + fmt(p.range().min()) + " is above max " + fmt(p.range().max()));
    }
    if (p.writable() && (p.table() == v1::REGISTER_TABLE_INPUT || p.table() == v1::REGISTER_TABLE_DISCRETE)) {
      report(p, "writable", where + ": input registers and discrete inputs cannot be written");
    }
    if (p.writable() && p.has_bit()) report(p, "writable", where + ": a bit inside a register cannot be written on its own");
    if (p.read_back() && !p.writable()) report(p, "read_back", where + ": read_back applies to writable points only");
  }

  // One point's claim on registers, for the overlap check.
  struct Occupant {
    std::string label;
    const v1::PointMap* point;
    const pb::Message* at;     // where to report a clash
    const void* owner;         // the device (or profile) the point belongs to
  };

  // Registers are (table, address); two bit fields of different bits may share one register.
  // With `across_owners_only`, clashes inside one owner are left to the profile check.
  void check_overlaps(const std::string& scope, const std::vector<Occupant>& occupants, bool across_owners_only) {
    std::map<std::pair<int, unsigned>, const Occupant*> used;
    for (const auto& o : occupants) {
      for (unsigned r = 0; r < registers_of(*o.point); ++r) {
        const auto key = std::make_pair(static_cast<int>(o.point->table()), o.point->address() + r);
        auto [it, inserted] = used.emplace(key, &o);
        if (inserted) continue;
        const Occupant& other = *it->second;
        if (o.point->has_bit() && other.point->has_bit() && o.point->bit() != other.point->bit()) continue;
        if (across_owners_only && other.owner == o.owner) continue;
        report(*o.at, "", scope + ": " + o.label + " overlaps " + other.label + " at " +
                              enum_name(v1::RegisterTable_descriptor(), o.point->table()) +
                              " " + std::to_string(o.point->address() + r));
        break;
      }
    }
  }

  void check_profiles() {
    unique_ids(venue_.profiles(), "profile");
    for (const auto& profile : venue_.profiles()) {
      std::set<std::string> names;
      std::vector<Occupant> occupants;
      for (const auto& p : profile.points()) {
        check_point_map(profile, p);
        if (!p.name().empty() && !names.insert(p.name()).second) {
          report(p, "name", "duplicate point " + q(p.name()) + " in profile " + q(profile.id()));
        }
        occupants.push_back(Occupant{"point " + q(p.name()), &p, &p, &profile});
      }
      check_overlaps("profile " + q(profile.id()), occupants, false);
      std::vector<std::string> point_names(names.begin(), names.end());
      for (const auto& tv : profile.test_vectors()) {
        const v1::PointMap* target = nullptr;
        for (const auto& p : profile.points()) {
          if (p.name() == tv.point()) target = &p;
        }
        if (!target) {
          report(tv, "point", "test vector names unknown point " + q(tv.point()) + did_you_mean(tv.point(), point_names));
          continue;
        }
        if (static_cast<unsigned>(tv.registers_size()) != registers_of(*target)) {
          report(tv, "registers", "test vector for " + q(tv.point()) + " has " + std::to_string(tv.registers_size()) +
                                      " register(s); the point occupies " + std::to_string(registers_of(*target)));
        }
        for (auto r : tv.registers()) {
          if (r > 65535) report(tv, "registers", "test vector register value " + std::to_string(r) + " exceeds 65535");
        }
      }
    }
  }

  const v1::DeviceProfile* find_profile(const std::string& id) const {
    for (const auto& p : venue_.profiles()) {
      if (p.id() == id) return &p;
    }
    return nullptr;
  }

  void check_devices() {
    const auto zone_ids = ids_of(venue_.zones());
    const auto bus_ids = ids_of(venue_.buses());
    const auto profile_ids = ids_of(venue_.profiles());
    std::set<std::string> seen;
    // (bus, unit) -> the points every device there occupies, for the overlap check.
    std::map<std::pair<std::string, unsigned>, std::vector<Occupant>> units;
    for (const auto& d : venue_.devices()) {
      const std::string full = d.zone() + "." + d.id();
      if (d.id().empty()) report(d, "", "a device has no id");
      if (d.id().find('.') != std::string::npos) report(d, "id", "device ids cannot contain '.': " + q(d.id()));
      if (!d.id().empty() && !seen.insert(full).second) report(d, "id", "duplicate device " + q(d.id()) + " in zone " + q(d.zone()));
      if (std::find(zone_ids.begin(), zone_ids.end(), d.zone()) == zone_ids.end()) {
        report(d, d.zone().empty() ? "" : "zone", "device " + q(d.id()) + " is in unknown zone " + q(d.zone()) + did_you_mean(d.zone(), zone_ids));
      }
      if (std::find(bus_ids.begin(), bus_ids.end(), d.bus()) == bus_ids.end()) {
        report(d, d.bus().empty() ? "" : "bus", "device " + q(d.id()) + " is on unknown bus " + q(d.bus()) + did_you_mean(d.bus(), bus_ids));
      }
      const v1::DeviceProfile* profile = find_profile(d.profile());
      if (!profile) {
        report(d, d.profile().empty() ? "" : "profile",
               "device " + q(d.id()) + " uses unknown profile " + q(d.profile()) + did_you_mean(d.profile(), profile_ids));
      }
      if (d.unit() < 1 || d.unit() > 247) {
        report(d, "unit", "device " + q(d.id()) + ": unit id " + std::to_string(d.unit()) + " is out of range 1..247");
      }
      if (profile) {
        std::vector<std::string> names;
        for (const auto& p : profile->points()) names.push_back(p.name());
        for (int i = 0; i < d.disabled_points_size(); ++i) {
          const auto& off = d.disabled_points(i);
          if (std::find(names.begin(), names.end(), off) == names.end()) {
            report(d, "disabled_points[" + std::to_string(i) + "]",
                   "device " + q(d.id()) + " disables unknown point " + q(off) + did_you_mean(off, names));
          }
        }
        auto& at_unit = units[std::make_pair(d.bus(), d.unit())];
        for (const auto& p : profile->points()) at_unit.push_back(Occupant{"point " + q(full + "." + p.name()), &p, &d, &d});
      }
    }
    for (const auto& [key, occupants] : units) {
      check_overlaps("bus " + q(key.first) + " unit " + std::to_string(key.second), occupants, true);
    }
  }

  // ---- zones -----------------------------------------------------------------------------------

  // A device whose profile is unknown has already been reported; what its points would have
  // satisfied is not reported again (one missing profile folder must not bury its own error
  // under hundreds of "unknown point" lines).
  bool device_unresolved(const std::string& zone, const std::string& device) const {
    for (const auto& d : venue_.devices()) {
      if (d.zone() == zone && d.id() == device && !find_profile(d.profile())) return true;
    }
    return false;
  }
  bool zone_unresolved(const std::string& zone) const {
    for (const auto& d : venue_.devices()) {
      if (d.zone() == zone && !find_profile(d.profile())) return true;
    }
    return false;
  }

  const v1::PointMap* zone_point(const std::string& zone, const std::string& local, bool& device_known) const {
    device_known = false;
    const auto dot = local.find('.');
    if (dot == std::string::npos) return nullptr;
    for (const auto& d : venue_.devices()) {
      if (d.zone() != zone || d.id() != local.substr(0, dot)) continue;
      device_known = true;
      if (const auto* profile = find_profile(d.profile())) {
        for (const auto& p : profile->points()) {
          if (p.name() == local.substr(dot + 1)) return &p;
        }
      }
    }
    return nullptr;
  }

  std::vector<std::string> zone_point_names(const std::string& zone) const {
    std::vector<std::string> names;
    for (const auto& d : venue_.devices()) {
      if (d.zone() != zone) continue;
      if (const auto* profile = find_profile(d.profile())) {
        for (const auto& p : profile->points()) names.push_back(d.id() + "." + p.name());
      }
    }
    return names;
  }

  bool zone_has(const std::string& zone, v1::Quantity quantity, bool output) const {
    for (const auto& d : venue_.devices()) {
      if (d.zone() != zone) continue;
      if (const auto* profile = find_profile(d.profile())) {
        for (const auto& p : profile->points()) {
          if (p.quantity() == quantity && p.writable() == output) return true;
        }
      }
    }
    return false;
  }

  void check_point_ref(const pb::Message& at, const std::string& field, const std::string& zone,
                       const std::string& local, const std::string& what, bool must_be_output) {
    bool device_known = false;
    const v1::PointMap* p = zone_point(zone, local, device_known);
    if (!p && device_unresolved(zone, local.substr(0, local.find('.')))) return;
    if (!p) {
      report(at, field, what + " names unknown point " + q(local) + " in zone " + q(zone) +
                            did_you_mean(local, zone_point_names(zone)) +
                            (local.find('.') == std::string::npos ? " (write it as <device>.<point>)" : ""));
      return;
    }
    if (must_be_output && !p->writable()) report(at, field, what + ": point " + q(local) + " is not writable");
  }

  std::vector<std::string> soundscape_ids() const {
    std::vector<std::string> ids = builtin_soundscapes();
    for (const auto& s : venue_.soundscapes()) ids.push_back(s.id());
    return ids;
  }

  std::vector<std::string> venue_scene_ids() const { return ids_of(venue_.venue_scenes()); }

  void check_applies_in(const pb::Message& at, const pb::RepeatedPtrField<std::string>& applies_in, const std::string& what) {
    const auto ids = venue_scene_ids();
    for (int i = 0; i < applies_in.size(); ++i) {
      if (std::find(ids.begin(), ids.end(), applies_in[i]) == ids.end()) {
        report(at, "applies_in[" + std::to_string(i) + "]",
               what + " applies in unknown venue scene " + q(applies_in[i]) + did_you_mean(applies_in[i], ids));
      }
    }
  }

  void check_zone_scene(const v1::Zone& zone, const v1::ZoneScene& s) {
    const std::string what = "scene " + q(s.id()) + " of zone " + q(zone.id());
    require_english_name(s, s.name(), what);
    const auto need = [&](const pb::Message& at, v1::Quantity quantity, const std::string& setting) {
      if (!zone_has(zone.id(), quantity, true) && !zone_unresolved(zone.id())) {
        report(at, "", what + " sets " + setting + " but the zone has no device that drives it");
      }
    };
    if (s.has_light()) {
      const auto& l = s.light();
      if (l.has_level()) {
        check_range(l, "level", l.level(), 0, 100, what + ": light level");
        need(l, v1::QUANTITY_LIGHT_LEVEL, "light level");
      }
      if (l.has_cct()) {
        check_range(l, "cct", l.cct(), 1000, 20000, what + ": colour temperature");
        need(l, v1::QUANTITY_LIGHT_CCT, "colour temperature");
      }
      for (auto [v, present, name] : {std::tuple{l.red(), l.has_red(), "red"}, std::tuple{l.green(), l.has_green(), "green"},
                                      std::tuple{l.blue(), l.has_blue(), "blue"}, std::tuple{l.white(), l.has_white(), "white"}}) {
        if (present) check_range(l, name, v, 0, 100, what + ": " + name);
      }
    }
    if (s.has_scent()) {
      const auto& sc = s.scent();
      if (sc.has_intensity()) check_range(sc, "intensity", sc.intensity(), 0, 100, what + ": scent intensity");
      if (sc.has_work_s() && sc.work_s() == 0 && sc.enabled()) report(sc, "work_s", what + ": work_s must be above 0");
      if (sc.has_work_s() && sc.work_s() > 3600) report(sc, "work_s", what + ": work_s above 3600 s");
      if (sc.has_pause_s() && sc.pause_s() > 3600) report(sc, "pause_s", what + ": pause_s above 3600 s");
      if (sc.enabled()) need(sc, v1::QUANTITY_SCENT_ENABLE, "scent");
    }
    if (s.has_sound()) {
      const auto& snd = s.sound();
      const auto ids = soundscape_ids();
      if (!snd.soundscape().empty() && std::find(ids.begin(), ids.end(), snd.soundscape()) == ids.end()) {
        report(snd, "soundscape", what + " plays unknown soundscape " + q(snd.soundscape()) + did_you_mean(snd.soundscape(), ids));
      }
      if (snd.has_level_db()) check_range(snd, "level_db", snd.level_db(), -90, 0, what + ": sound level_db");
      if (!snd.soundscape().empty() && zone.audio_output().empty()) {
        report(snd, "", what + " plays a soundscape but the zone has no audio_output");
      }
    }
    if (s.has_climate()) {
      const auto& c = s.climate();
      if (c.has_setpoint()) {
        check_range(c, "setpoint", c.setpoint(), 5, 60, what + ": climate setpoint");
        need(c, v1::QUANTITY_TEMPERATURE_SETPOINT, "a temperature setpoint");
      }
      if (c.has_floor_setpoint()) {
        check_range(c, "floor_setpoint", c.floor_setpoint(), 5, 45, what + ": floor setpoint");
        need(c, v1::QUANTITY_FLOOR_SETPOINT, "a floor setpoint");
      }
    }
    for (const auto& pv : s.points()) check_point_ref(pv, "point", zone.id(), pv.point(), what, true);
    if (s.fade_ms() > 3600000) report(s, "fade_ms", what + ": fade_ms above one hour");
  }

  void check_zones() {
    unique_ids(venue_.zones(), "zone");
    std::vector<std::string> output_ids;
    for (const auto& o : venue_.audio().outputs()) output_ids.push_back(o.id());
    for (const auto& zone : venue_.zones()) {
      if (zone.id().find('.') != std::string::npos) report(zone, "id", "zone ids cannot contain '.': " + q(zone.id()));
      if (!zone.name().contains("en")) report_missing(zone, "name", "zone " + q(zone.id()) + " needs a name in English ('en')");
      unique_ids(zone.scenes(), "scene", " in zone " + q(zone.id()));
      for (const auto& s : zone.scenes()) check_zone_scene(zone, s);
      if (!zone.audio_output().empty() &&
          std::find(output_ids.begin(), output_ids.end(), zone.audio_output()) == output_ids.end()) {
        report(zone, "audio_output", "zone " + q(zone.id()) + " uses unknown audio output " + q(zone.audio_output()) +
                                          did_you_mean(zone.audio_output(), output_ids));
      }
      if (zone.has_safety()) {
        const auto& s = zone.safety();
        if (s.has_audio_cap_db()) check_range(s, "audio_cap_db", s.audio_cap_db(), -90, 0, "zone " + q(zone.id()) + ": audio_cap_db");
        if (s.has_scent_max_duty()) check_range(s, "scent_max_duty", s.scent_max_duty(), 0, 100, "zone " + q(zone.id()) + ": scent_max_duty");
      }
      std::set<std::string> ids;
      for (const auto& c : zone.standard().criteria()) {
        const std::string what = "criterion " + q(c.id()) + " of zone " + q(zone.id());
        if (c.id().empty()) report(c, "", "a criterion of zone " + q(zone.id()) + " has no id");
        else if (!ids.insert(c.id()).second) report(c, "id", "duplicate criterion or checklist id " + q(c.id()) + " in zone " + q(zone.id()));
        if (c.sense() == v1::SENSE_UNSPECIFIED) report_missing(c, "sense", what + " has no sense (sight, hearing, smell, touch, taste)");
        if (c.point().empty()) report_missing(c, "point", what + " has no point");
        else if (c.point() != "sound.level") check_point_ref(c, "point", zone.id(), c.point(), what, false);
        if (!c.has_range()) report_missing(c, "range", what + " has no range");
        else if (c.range().min() > c.range().max()) report(c.range(), "", what + ": range min " + fmt(c.range().min()) + " is above max " + fmt(c.range().max()));
        if (c.hysteresis() < 0) report(c, "hysteresis", what + ": hysteresis cannot be negative");
        if (c.has_range() && c.hysteresis() * 2 > c.range().max() - c.range().min() && c.range().max() > c.range().min()) {
          report(c, "hysteresis", what + ": hysteresis " + fmt(c.hysteresis()) + " is more than half the range; the zone could never return to ok");
        }
        check_applies_in(c, c.applies_in(), what);
      }
      for (const auto& item : zone.standard().checklist()) {
        const std::string what = "checklist item " + q(item.id()) + " of zone " + q(zone.id());
        if (item.id().empty()) report(item, "", "a checklist item of zone " + q(zone.id()) + " has no id");
        else if (!ids.insert(item.id()).second) report(item, "id", "duplicate criterion or checklist id " + q(item.id()) + " in zone " + q(zone.id()));
        if (item.sense() == v1::SENSE_UNSPECIFIED) report_missing(item, "sense", what + " has no sense");
        if (!item.name().contains("en")) report(item, item.name().empty() ? "" : "name", what + " needs a name in English ('en') for staff to confirm");
        check_applies_in(item, item.applies_in(), what);
      }
    }
  }

  void check_venue_scenes() {
    unique_ids(venue_.venue_scenes(), "venue scene");
    const auto zone_ids = ids_of(venue_.zones());
    for (const auto& vs : venue_.venue_scenes()) {
      require_english_name(vs, vs.name(), "venue scene " + q(vs.id()));
      // Sorted so errors come out in a stable order whatever the map's iteration order.
      std::map<std::string, std::string> zones(vs.zones().begin(), vs.zones().end());
      for (const auto& [zone, scene] : zones) {
        const v1::Zone* z = nullptr;
        for (const auto& candidate : venue_.zones()) {
          if (candidate.id() == zone) z = &candidate;
        }
        if (!z) {
          report(vs, "zones[" + zone + "]", "venue scene " + q(vs.id()) + " names unknown zone " + q(zone) + did_you_mean(zone, zone_ids));
          continue;
        }
        const auto scene_ids = ids_of(z->scenes());
        if (std::find(scene_ids.begin(), scene_ids.end(), scene) == scene_ids.end()) {
          report(vs, "zones[" + zone + "]", "venue scene " + q(vs.id()) + " picks unknown scene " + q(scene) + " in zone " +
                                                 q(zone) + did_you_mean(scene, scene_ids));
        }
      }
      if (zones.empty() && !vs.same_name_in_every_zone()) {
        report(vs, "", "venue scene " + q(vs.id()) + " sets no zone (add 'zones' or 'same_name_in_every_zone: true')");
      }
      if (vs.same_name_in_every_zone()) {
        bool any = false;
        for (const auto& z : venue_.zones()) {
          for (const auto& s : z.scenes()) any = any || s.id() == vs.id();
        }
        if (!any) report(vs, "same_name_in_every_zone", "no zone has a scene named " + q(vs.id()));
      }
    }
  }

  void check_programs() {
    unique_ids(venue_.programs(), "program");
    const auto scene_ids = venue_scene_ids();
    for (const auto& p : venue_.programs()) {
      require_english_name(p, p.name(), "program " + q(p.id()));
      if (p.steps_size() == 0) report(p, "", "program " + q(p.id()) + " has no steps");
      int last = -1;
      for (const auto& step : p.steps()) {
        const int t = parse_clock_time(step.at());
        if (t < 0) {
          report(step, step.at().empty() ? "" : "at", "program " + q(p.id()) + ": time " + q(step.at()) + " is not HH:MM (00:00..23:59)");
        } else if (t <= last) {
          report(step, "at", "program " + q(p.id()) + ": step at " + step.at() + " is not after the step before it");
        }
        if (t >= 0) last = t;
        if (std::find(scene_ids.begin(), scene_ids.end(), step.venue_scene()) == scene_ids.end()) {
          report(step, step.venue_scene().empty() ? "" : "venue_scene",
                 "program " + q(p.id()) + " applies unknown venue scene " + q(step.venue_scene()) + did_you_mean(step.venue_scene(), scene_ids));
        }
      }
    }
  }

  void check_week() {
    const auto program_ids = ids_of(venue_.programs());
    std::map<int, const v1::WeeklyRule*> day_rule;
    for (const auto& rule : venue_.week()) {
      if (std::find(program_ids.begin(), program_ids.end(), rule.program()) == program_ids.end()) {
        report(rule, rule.program().empty() ? "" : "program", "week rule runs unknown program " + q(rule.program()) + did_you_mean(rule.program(), program_ids));
      }
      if (rule.days_size() == 0) report(rule, "", "week rule for " + q(rule.program()) + " names no days");
      for (int i = 0; i < rule.days_size(); ++i) {
        if (rule.days(i) < v1::WEEKDAY_MON || rule.days(i) > v1::WEEKDAY_SUN) {
          report(rule, "days[" + std::to_string(i) + "]",
                 "weekday " + enum_name(v1::Weekday_descriptor(), rule.days(i)) + " is not a day of the week");
        } else if (!day_rule.emplace(rule.days(i), &rule).second) {
          report(rule, "days[" + std::to_string(i) + "]",
                 "weekday " + enum_name(v1::Weekday_descriptor(), rule.days(i)) + " already has a program");
        }
      }
    }
    if (!venue_.week().empty() || !venue_.programs().empty()) {
      std::string missing;
      for (int d = v1::WEEKDAY_MON; d <= v1::WEEKDAY_SUN; ++d) {
        if (!day_rule.contains(d)) {
          missing += (missing.empty() ? "" : ", ") + enum_name(v1::Weekday_descriptor(), d);
        }
      }
      if (!missing.empty()) report(venue_, "week", "no program runs on " + missing + " (give every weekday a program, even 'closed')");
    }
  }

  void check_exceptions() {
    const auto program_ids = ids_of(venue_.programs());
    std::vector<std::tuple<int, int, const v1::DateException*>> spans;
    for (const auto& e : venue_.exceptions()) {
      auto from = parse_date(e.date());
      if (!from) report(e, e.date().empty() ? "" : "date", "exception date " + q(e.date()) + " is not a real YYYY-MM-DD date");
      std::optional<int> to = from;
      if (!e.until().empty()) {
        to = parse_date(e.until());
        if (!to) report(e, "until", "exception 'until' " + q(e.until()) + " is not a real YYYY-MM-DD date");
        else if (from && *to < *from) report(e, "until", "exception ends (" + e.until() + ") before it starts (" + e.date() + ")");
      }
      if (std::find(program_ids.begin(), program_ids.end(), e.program()) == program_ids.end()) {
        report(e, e.program().empty() ? "" : "program", "exception " + q(e.date()) + " runs unknown program " + q(e.program()) + did_you_mean(e.program(), program_ids));
      }
      if (from && to && *to >= *from) spans.emplace_back(*from, *to, &e);
    }
    std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    for (std::size_t i = 1; i < spans.size(); ++i) {
      if (std::get<0>(spans[i]) <= std::get<1>(spans[i - 1])) {
        report(*std::get<2>(spans[i]), "date", "exception " + q(std::get<2>(spans[i])->date()) + " overlaps exception " + q(std::get<2>(spans[i - 1])->date()));
      }
    }
  }

  void check_safety() {
    const auto& s = venue_.safety();
    if (!s.fire_alarm_point().empty()) {
      const auto dot = s.fire_alarm_point().find('.');
      bool device_known = false;
      const v1::PointMap* p = dot == std::string::npos ? nullptr
                                : zone_point(s.fire_alarm_point().substr(0, dot), s.fire_alarm_point().substr(dot + 1), device_known);
      const bool unresolved = dot != std::string::npos && [&] {
        const std::string rest = s.fire_alarm_point().substr(dot + 1);
        return device_unresolved(s.fire_alarm_point().substr(0, dot), rest.substr(0, rest.find('.')));
      }();
      if (!p && unresolved) {
        // reported where the device names its profile
      } else if (!p) {
        report(s, "fire_alarm_point", "fire_alarm_point " + q(s.fire_alarm_point()) + " is not a point of the venue (write <zone>.<device>.<point>)");
      } else if (p->writable()) {
        report(s, "fire_alarm_point", "fire_alarm_point " + q(s.fire_alarm_point()) + " must be an input, not an output");
      }
    }
    const auto zone_ids = ids_of(venue_.zones());
    for (const auto& w : s.scent_free()) {
      if (parse_clock_time(w.from()) < 0) report(w, w.from().empty() ? "" : "from", "scent-free window 'from' " + q(w.from()) + " is not HH:MM");
      if (parse_clock_time(w.to()) < 0) report(w, w.to().empty() ? "" : "to", "scent-free window 'to' " + q(w.to()) + " is not HH:MM");
      for (int i = 0; i < w.zones_size(); ++i) {
        if (std::find(zone_ids.begin(), zone_ids.end(), w.zones(i)) == zone_ids.end()) {
          report(w, "zones[" + std::to_string(i) + "]", "scent-free window names unknown zone " + q(w.zones(i)) + did_you_mean(w.zones(i), zone_ids));
        }
      }
    }
  }

  void check_audio() {
    const auto& a = venue_.audio();
    if (a.sample_rate() != 0 && (a.sample_rate() < 8000 || a.sample_rate() > 192000)) {
      report(a, "sample_rate", "audio sample_rate " + std::to_string(a.sample_rate()) + " is out of range 8000..192000");
    }
    if (a.frames_per_buffer() > 8192) report(a, "frames_per_buffer", "audio frames_per_buffer above 8192");
    const unsigned channels = a.channels() == 0 ? 2 : a.channels();
    if (channels > 64) report(a, "channels", "audio channels above 64");
    unique_ids(a.outputs(), "audio output");
    for (const auto& o : a.outputs()) {
      const unsigned n = o.channels() == 0 ? 2 : o.channels();
      if (n > 2) report(o, "channels", "audio output " + q(o.id()) + ": channels must be 1 or 2");
      if (o.first_channel() + n > channels) {
        report(o, "first_channel", "audio output " + q(o.id()) + " uses channels " + std::to_string(o.first_channel()) + ".." +
                                       std::to_string(o.first_channel() + n - 1) + " but the device opens only " + std::to_string(channels));
      }
    }
  }

  void check_soundscapes() {
    unique_ids(venue_.soundscapes(), "soundscape");
    const auto& generators = builtin_generators();
    for (const auto& s : venue_.soundscapes()) {
      if (s.layers_size() == 0) report(s, "", "soundscape " + q(s.id()) + " has no layers");
      for (const auto& layer : s.layers()) {
        if (layer.source_case() == v1::SoundLayer::SOURCE_NOT_SET) {
          report(layer, "", "a layer of soundscape " + q(s.id()) + " needs 'generator' or 'file'");
        }
        if (layer.has_generator() && std::find(generators.begin(), generators.end(), layer.generator()) == generators.end()) {
          report(layer, "generator", "unknown generator " + q(layer.generator()) + did_you_mean(layer.generator(), generators));
        }
        check_range(layer, "gain_db", layer.gain_db(), -90, 0, "soundscape " + q(s.id()) + ": layer gain_db");
        if (layer.one_shot() && !layer.has_interval_s()) report(layer, "one_shot", "a one-shot layer of " + q(s.id()) + " needs interval_s");
        if (layer.has_interval_s() && (layer.interval_s().min() <= 0 || layer.interval_s().min() > layer.interval_s().max())) {
          report(layer.interval_s(), "", "soundscape " + q(s.id()) + ": interval_s must be 0 < min <= max");
        }
        if (layer.has_pan() && (layer.pan().min() < -1 || layer.pan().max() > 1 || layer.pan().min() > layer.pan().max())) {
          report(layer.pan(), "", "soundscape " + q(s.id()) + ": pan must lie in -1..1 with min <= max");
        }
      }
    }
  }

  void check_storage_and_api() {
    const auto& api = venue_.api();
    if (!api.listen().empty()) {
      const auto colon = api.listen().rfind(':');
      unsigned long port = 0;
      bool ok = colon != std::string::npos && colon + 1 < api.listen().size();
      if (ok) {
        try {
          port = std::stoul(api.listen().substr(colon + 1));
        } catch (const std::exception&) {
          ok = false;
        }
      }
      if (!ok || port == 0 || port > 65535) report(api, "listen", "api listen " + q(api.listen()) + " is not HOST:PORT");
    }
    if (api.tls_cert().empty() != api.tls_key().empty()) report(api, "", "api TLS needs both tls_cert and tls_key");
    for (int i = 0; i < api.allowed_origins_size(); ++i) {
      if (auto problem = web_origin_problem(api.allowed_origins(i))) {
        report(api, "allowed_origins[" + std::to_string(i) + "]", "api allowed_origins " + q(api.allowed_origins(i)) + " " + *problem);
      }
    }
  }

  const v1::Venue& venue_;
  const SourceMap& sources_;
  std::vector<Diagnostic>& errors_;
};

}  // namespace

void validate_venue(const v1::Venue& venue, const SourceMap& sources, std::vector<Diagnostic>& errors) {
  Validator(venue, sources, errors).run();
  validate_fleet(venue, sources, errors);
}

}  // namespace atmo::config
