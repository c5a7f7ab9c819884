#include "controller/cli/modbus_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <ctime>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "config/venue_loader.hpp"
#include "controller/cli/exit_codes.hpp"
#include "drivers/modbus/bus_url.hpp"
#include "drivers/modbus/device_health.hpp"
#include "drivers/modbus/modbus_connection.hpp"
#include "drivers/modbus/register_codec.hpp"

namespace atmo::cli {
namespace {

using modbus::TxKind;
using modbus::TxStatus;

struct CommonOptions {
  std::string target;  // URL or bus id
  std::string venue_file;
  unsigned timeout_ms = 1000;
};

struct ValueOptions {
  std::string type = "u16";
  std::string order = "abcd";
  std::optional<double> scale;
  double offset = 0;
  std::optional<unsigned> bit;
};

struct ReadOptions {
  CommonOptions common;
  ValueOptions value;
  unsigned unit = 1;
  std::string table;
  unsigned address = 0;
  unsigned count = 1;
  bool json = false;
};

struct WriteOptions {
  CommonOptions common;
  ValueOptions value;
  unsigned unit = 1;
  std::string table;
  unsigned address = 0;
  double number = 0;
  bool verify = false;
};

struct ScanOptions {
  CommonOptions common;
  std::string units = "1-247";
  std::string table = "holding";
  unsigned address = 0;
  bool json = false;
};

struct WatchOptions {
  CommonOptions common;
  ValueOptions value;
  unsigned unit = 1;
  std::string table;
  unsigned address = 0;
  unsigned values = 1;
  double interval_s = 1.0;
  unsigned reads = 0;  ///< --count: stop after this many reads (0: until Ctrl-C)
  bool json = false;
};

/// A failure that ends the command with `code`.
struct Failure {
  int code;
  std::string message;
};

const std::map<std::string, v1::RegisterTable> kTables = {{"holding", v1::REGISTER_TABLE_HOLDING},
                                                          {"input", v1::REGISTER_TABLE_INPUT},
                                                          {"coil", v1::REGISTER_TABLE_COIL},
                                                          {"discrete", v1::REGISTER_TABLE_DISCRETE}};
const std::map<std::string, v1::ValueType> kTypes = {{"u16", v1::VALUE_TYPE_U16}, {"i16", v1::VALUE_TYPE_I16},
                                                     {"u32", v1::VALUE_TYPE_U32}, {"i32", v1::VALUE_TYPE_I32},
                                                     {"f32", v1::VALUE_TYPE_F32}, {"bool", v1::VALUE_TYPE_BOOL}};
const std::map<std::string, v1::WordOrder> kOrders = {{"abcd", v1::WORD_ORDER_ABCD}, {"cdab", v1::WORD_ORDER_CDAB},
                                                      {"badc", v1::WORD_ORDER_BADC}, {"dcba", v1::WORD_ORDER_DCBA}};

int exit_code_for(TxKind kind) {
  return kind == TxKind::exception || kind == TxKind::garbage ? kExitDeviceError : kExitUnreachable;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string hex_word(std::uint16_t w) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", w);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

/// The bus a TARGET names: a URL, or a bus id of --venue FILE (or of the built-in demo venue).
std::variant<v1::Bus, Failure> resolve_bus(const CommonOptions& o) {
  if (modbus::is_bus_url(o.target)) {
    auto parsed = modbus::parse_bus_url(o.target);
    if (!parsed) return Failure{kExitUsage, parsed.error().message};
    v1::Bus bus = std::move(parsed).value();
    bus.set_response_timeout_ms(o.timeout_ms);
    return bus;
  }
  const auto loaded = o.venue_file.empty() ? config::load_embedded_demo() : config::load_venue_file(o.venue_file);
  if (!loaded.ok()) {
    std::ostringstream out;
    for (const auto& d : loaded.errors) out << d.to_string() << "\n";
    out << "the venue has " << loaded.errors.size() << " problem(s)";
    return Failure{kExitConfigInvalid, out.str()};
  }
  std::string known;
  for (const auto& bus : loaded.venue->buses()) {
    if (bus.id() == o.target) {
      v1::Bus copy = bus;
      copy.set_response_timeout_ms(o.timeout_ms);
      return copy;
    }
    known += (known.empty() ? "" : ", ") + bus.id();
  }
  return Failure{kExitUsage, "'" + o.target + "' is neither a bus URL nor a bus of " +
                                 (o.venue_file.empty() ? std::string("the demo venue") : o.venue_file) +
                                 " (buses: " + (known.empty() ? "none" : known) +
                                 "); write tcp://HOST:PORT or rtu:///dev/DEVICE?baud=9600"};
}

std::variant<std::unique_ptr<modbus::ModbusConnection>, Failure> open(const v1::Bus& bus, unsigned timeout_ms) {
  auto connection = modbus::ModbusConnection::create(bus, std::chrono::milliseconds(timeout_ms));
  if (!connection) return Failure{kExitUsage, connection.error().message};
  const TxStatus status = (*connection)->connect();
  if (!status.ok()) return Failure{kExitUnreachable, "cannot connect to " + modbus::describe(bus) + ": " + status.message};
  return std::move(connection).value();
}

std::variant<v1::PointMap, Failure> point_from(const ValueOptions& o, v1::RegisterTable table, unsigned address,
                                                bool any_order) {
  v1::PointMap map;
  map.set_name("value");
  map.set_table(table);
  map.set_address(address);
  const bool bits = table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE;
  map.set_type(bits ? v1::VALUE_TYPE_BOOL : kTypes.at(o.type));
  if (!(any_order && o.order == "all")) map.set_order(kOrders.at(o.order));
  if (o.scale) map.set_scale(*o.scale);
  map.set_offset(o.offset);
  if (o.bit) {
    if (bits) return Failure{kExitUsage, "--bit applies to holding and input registers, not to " + modbus::table_name(table)};
    map.set_bit(*o.bit);
  }
  return map;
}

void sleep_gap(const v1::Bus& bus) {
  // On RS-485 the next frame must wait 3.5 character times, as the bus workers do.
  if (bus.has_rtu()) std::this_thread::sleep_for(modbus::inter_frame_gap(bus.rtu()));
}

int run_read(const ReadOptions& o) {
  auto bus = resolve_bus(o.common);
  if (auto* f = std::get_if<Failure>(&bus)) {
    std::cerr << "atmo modbus read: " << f->message << "\n";
    return f->code;
  }
  const auto table = kTables.at(o.table);
  auto point = point_from(o.value, table, o.address, true);
  if (auto* f = std::get_if<Failure>(&point)) {
    std::cerr << "atmo modbus read: " << f->message << "\n";
    return f->code;
  }
  auto& map = std::get<v1::PointMap>(point);
  const bool all_orders = o.value.order == "all";
  const unsigned width = modbus::register_count(map);
  const unsigned total = width * o.count;
  const unsigned limit = (table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE) ? 2000 : 125;
  if (total > limit) {
    std::cerr << "atmo modbus read: " << total << " " << (limit == 125 ? "registers" : "bits")
              << " exceed one Modbus request (at most " << limit << "); lower COUNT\n";
    return kExitUsage;
  }
  auto connection = open(std::get<v1::Bus>(bus), o.common.timeout_ms);
  if (auto* f = std::get_if<Failure>(&connection)) {
    std::cerr << "atmo modbus read: " << f->message << "\n";
    return f->code;
  }
  auto& conn = *std::get<std::unique_ptr<modbus::ModbusConnection>>(connection);
  std::vector<std::uint16_t> words(total);
  const auto t0 = std::chrono::steady_clock::now();
  const TxStatus status = conn.read(o.unit, table, o.address, total, words.data());
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::string where = modbus::describe(std::get<v1::Bus>(bus));
  if (!status.ok()) {
    if (o.json) {
      std::cout << "{\"bus\":\"" << json_escape(where) << "\",\"unit\":" << o.unit << ",\"table\":\"" << o.table
                << "\",\"address\":" << o.address << ",\"error\":\"" << json_escape(status.message) << "\"}\n";
    } else {
      std::cerr << "atmo modbus read: unit " << o.unit << ", " << o.table << " " << o.address << ": " << status.message
                << "\n";
    }
    return exit_code_for(status.kind);
  }

  std::vector<std::string> orders = {all_orders ? "abcd" : o.value.order};
  if (all_orders && width == 2) orders = {"abcd", "cdab", "badc", "dcba"};
  if (o.json) {
    std::cout << "{\"bus\":\"" << json_escape(where) << "\",\"unit\":" << o.unit << ",\"table\":\"" << o.table
              << "\",\"type\":\"" << modbus::type_name(map.type()) << "\",\"latency_ms\":" << format_number(std::round(ms * 1000) / 1000)
              << ",\"values\":[";
  } else {
    std::cout << where << "  unit " << o.unit << "  " << o.table << "  " << modbus::type_name(map.type())
              << "  (" << format_number(std::round(ms * 10) / 10) << " ms)\n";
    std::printf("%-8s %-15s", "ADDRESS", "RAW");
    for (const auto& order : orders) std::printf(" %16s", width == 2 ? order.c_str() : "VALUE");
    std::printf("\n");
  }
  for (unsigned i = 0; i < o.count; ++i) {
    const auto slice = std::span<const std::uint16_t>(words).subspan(i * width, width);
    std::string raw;
    for (auto w : slice) raw += (raw.empty() ? "" : " ") + hex_word(w);
    if (o.json) {
      std::cout << (i ? "," : "") << "{\"address\":" << o.address + i * width << ",\"raw\":[";
      for (std::size_t k = 0; k < slice.size(); ++k) std::cout << (k ? "," : "") << slice[k];
      std::cout << "]";
    } else {
      std::printf("%-8u %-15s", o.address + i * width, raw.c_str());
    }
    for (std::size_t k = 0; k < orders.size(); ++k) {
      map.set_order(kOrders.at(orders[k]));
      auto value = modbus::decode(map, slice);
      const double v = value ? *value : std::nan("");
      if (o.json) {
        std::cout << ",\"" << (orders.size() > 1 ? orders[k] : std::string("value")) << "\":"
                  << (std::isfinite(v) ? format_number(v) : "null");
      } else {
        std::printf(" %16s", format_number(v).c_str());
      }
    }
    if (o.json) std::cout << "}";
    else std::printf("\n");
  }
  if (o.json) std::cout << "]}\n";
  return kExitOk;
}

int run_write(const WriteOptions& o) {
  auto bus = resolve_bus(o.common);
  if (auto* f = std::get_if<Failure>(&bus)) {
    std::cerr << "atmo modbus write: " << f->message << "\n";
    return f->code;
  }
  const auto table = kTables.at(o.table);
  if (table == v1::REGISTER_TABLE_INPUT || table == v1::REGISTER_TABLE_DISCRETE) {
    std::cerr << "atmo modbus write: the " << o.table << " table is read-only; write holding registers or coils\n";
    return kExitUsage;
  }
  if (o.value.order == "all") {
    std::cerr << "atmo modbus write: --order all is for reading; pick one of abcd, cdab, badc, dcba\n";
    return kExitUsage;
  }
  auto point = point_from(o.value, table, o.address, false);
  if (auto* f = std::get_if<Failure>(&point)) {
    std::cerr << "atmo modbus write: " << f->message << "\n";
    return f->code;
  }
  const auto& map = std::get<v1::PointMap>(point);
  auto words = modbus::encode(map, o.number);
  if (!words) {
    std::cerr << "atmo modbus write: " << words.error().message << "\n";
    return kExitUsage;
  }
  auto connection = open(std::get<v1::Bus>(bus), o.common.timeout_ms);
  if (auto* f = std::get_if<Failure>(&connection)) {
    std::cerr << "atmo modbus write: " << f->message << "\n";
    return f->code;
  }
  auto& conn = *std::get<std::unique_ptr<modbus::ModbusConnection>>(connection);
  const TxStatus status = conn.write(o.unit, table, o.address, words->span());
  std::string raw;
  for (auto w : words->span()) raw += (raw.empty() ? "" : " ") + hex_word(w);
  if (!status.ok()) {
    std::cerr << "atmo modbus write: unit " << o.unit << ", " << o.table << " " << o.address << ": " << status.message
              << "\n";
    return exit_code_for(status.kind);
  }
  std::cout << "wrote " << format_number(o.number) << " (" << raw << ") to unit " << o.unit << ", " << o.table << " "
            << o.address << "\n";
  if (!o.verify) return kExitOk;
  sleep_gap(std::get<v1::Bus>(bus));
  std::vector<std::uint16_t> back(words->count);
  const TxStatus read = conn.read(o.unit, table, o.address, words->count, back.data());
  if (!read.ok()) {
    std::cerr << "atmo modbus write: reading back: " << read.message << "\n";
    return exit_code_for(read.kind);
  }
  auto value = modbus::decode(map, back);
  const bool same = std::equal(back.begin(), back.end(), words->span().begin());
  std::cout << "read back " << format_number(value ? *value : std::nan("")) << (same ? " (matches)" : " (DIFFERS)")
            << "\n";
  return same ? kExitOk : kExitDeviceError;
}

/// "1-247", "5", "1,3,10-12" -> unit ids.
std::variant<std::vector<unsigned>, Failure> parse_units(const std::string& text) {
  std::vector<unsigned> out;
  std::string_view rest = text;
  auto number = [&](std::string_view s) -> std::optional<unsigned> {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 1 || v > 247) return std::nullopt;
    return v;
  };
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto dash = part.find('-');
    auto first = number(part.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : number(part.substr(dash + 1));
    if (!first || !last || *first > *last) {
      return Failure{kExitUsage, "--units: '" + std::string(part) + "' is not a unit id or range within 1-247"};
    }
    for (unsigned u = *first; u <= *last; ++u) out.push_back(u);
  }
  if (out.empty()) return Failure{kExitUsage, "--units names no unit"};
  return out;
}

void progress(std::size_t done, std::size_t total, std::size_t found, unsigned unit) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::fprintf(stderr, "\r[%s%s] %3zu/%zu  unit %3u  found %zu ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), done, total, unit, found);
  std::fflush(stderr);
}

int run_scan(const ScanOptions& o) {
  auto bus = resolve_bus(o.common);
  if (auto* f = std::get_if<Failure>(&bus)) {
    std::cerr << "atmo modbus scan: " << f->message << "\n";
    return f->code;
  }
  auto units = parse_units(o.units);
  if (auto* f = std::get_if<Failure>(&units)) {
    std::cerr << "atmo modbus scan: " << f->message << "\n";
    return f->code;
  }
  const auto table = kTables.at(o.table);
  const v1::Bus& b = std::get<v1::Bus>(bus);
  auto connection = open(b, o.common.timeout_ms);
  if (auto* f = std::get_if<Failure>(&connection)) {
    std::cerr << "atmo modbus scan: " << f->message << "\n";
    return f->code;
  }
  auto& conn = *std::get<std::unique_ptr<modbus::ModbusConnection>>(connection);
  struct Hit {
    unsigned unit;
    std::string answer;
    double ms;
  };
  std::vector<Hit> hits;
  const auto& list = std::get<std::vector<unsigned>>(units);
  const bool tty = isatty(STDERR_FILENO) != 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (tty || i % 16 == 0) progress(i, list.size(), hits.size(), list[i]);
    if (!conn.connected()) {
      const TxStatus again = conn.connect();
      if (!again.ok()) {
        std::fprintf(stderr, "\n");
        std::cerr << "atmo modbus scan: lost " << modbus::describe(b) << ": " << again.message << "\n";
        return kExitUnreachable;
      }
    }
    std::uint16_t word = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const TxStatus status = conn.read(list[i], table, o.address, 1, &word);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    // Any reply, even an exception, means a device sits at that unit id.
    if (status.ok()) hits.push_back({list[i], "ok, " + o.table + " " + std::to_string(o.address) + " = " + std::to_string(word), ms});
    else if (status.kind == TxKind::exception || status.kind == TxKind::garbage) hits.push_back({list[i], status.message, ms});
    sleep_gap(b);
  }
  progress(list.size(), list.size(), hits.size(), list.back());
  std::fprintf(stderr, "\n");
  if (o.json) {
    std::cout << "{\"bus\":\"" << json_escape(modbus::describe(b)) << "\",\"scanned\":" << list.size() << ",\"found\":[";
    for (std::size_t i = 0; i < hits.size(); ++i) {
      std::cout << (i ? "," : "") << "{\"unit\":" << hits[i].unit << ",\"answer\":\"" << json_escape(hits[i].answer)
                << "\",\"latency_ms\":" << format_number(hits[i].ms) << "}";
    }
    std::cout << "]}\n";
  } else {
    std::cout << modbus::describe(b) << ": " << hits.size() << " of " << list.size() << " unit ids answered\n";
    if (!hits.empty()) std::printf("%-6s %-10s %s\n", "UNIT", "LATENCY", "ANSWER");
    for (const auto& h : hits) std::printf("%-6u %-10s %s\n", h.unit, (format_number(std::round(h.ms * 10) / 10) + " ms").c_str(), h.answer.c_str());
  }
  return hits.empty() ? kExitUnreachable : kExitOk;
}

// Ctrl-C ends a watch with its statistics instead of killing it mid-line.
std::atomic<bool> g_watch_stop{false};
void on_watch_signal(int) { g_watch_stop.store(true); }

/// Bus statistics of a watch, as the daemon keeps them per device.
struct WatchStats {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;    ///< every failed request (timeouts included)
  std::uint64_t timeouts = 0;
  std::uint64_t reconnects = 0;
  std::string last_error;
  modbus::LatencyRing latency;  ///< the last 256 answers, like `atmo devices`

  std::string line() const {
    return "requests " + std::to_string(requests) + "  errors " + std::to_string(errors) + "  timeouts " +
           std::to_string(timeouts) + "  latency p50 " + format_number(std::round(latency.percentile_ms(0.5) * 100) / 100) +
           " ms  p99 " + format_number(std::round(latency.percentile_ms(0.99) * 100) / 100) + " ms" +
           (reconnects ? "  reconnects " + std::to_string(reconnects) : "");
  }
  std::string json() const {
    return "{\"requests\":" + std::to_string(requests) + ",\"errors\":" + std::to_string(errors) +
           ",\"timeouts\":" + std::to_string(timeouts) + ",\"reconnects\":" + std::to_string(reconnects) +
           ",\"latency_p50_ms\":" + format_number(latency.percentile_ms(0.5)) +
           ",\"latency_p99_ms\":" + format_number(latency.percentile_ms(0.99)) + ",\"last_error\":\"" +
           json_escape(last_error) + "\"}";
  }
};

std::string wall_clock() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

int run_watch(const WatchOptions& o) {
  auto bus = resolve_bus(o.common);
  if (auto* f = std::get_if<Failure>(&bus)) {
    std::cerr << "atmo modbus watch: " << f->message << "\n";
    return f->code;
  }
  const auto table = kTables.at(o.table);
  if (o.value.order == "all") {
    std::cerr << "atmo modbus watch: --order all is for 'atmo modbus read'; pick one of abcd, cdab, badc, dcba\n";
    return kExitUsage;
  }
  auto point = point_from(o.value, table, o.address, false);
  if (auto* f = std::get_if<Failure>(&point)) {
    std::cerr << "atmo modbus watch: " << f->message << "\n";
    return f->code;
  }
  const auto& map = std::get<v1::PointMap>(point);
  const unsigned width = modbus::register_count(map);
  const unsigned total = width * o.values;
  const unsigned limit = (table == v1::REGISTER_TABLE_COIL || table == v1::REGISTER_TABLE_DISCRETE) ? 2000 : 125;
  if (total > limit) {
    std::cerr << "atmo modbus watch: " << total << " " << (limit == 125 ? "registers" : "bits")
              << " exceed one Modbus request (at most " << limit << "); watch fewer values\n";
    return kExitUsage;
  }
  const v1::Bus& b = std::get<v1::Bus>(bus);
  auto connection = open(b, o.common.timeout_ms);
  if (auto* f = std::get_if<Failure>(&connection)) {
    std::cerr << "atmo modbus watch: " << f->message << "\n";
    return f->code;
  }
  auto& conn = *std::get<std::unique_ptr<modbus::ModbusConnection>>(connection);
  const std::string where = modbus::describe(b);
  const bool live_screen = isatty(STDOUT_FILENO) != 0 && !o.json;
  g_watch_stop.store(false);
  auto* previous_int = std::signal(SIGINT, on_watch_signal);
  auto* previous_term = std::signal(SIGTERM, on_watch_signal);

  WatchStats stats;
  int last_failure = kExitOk;
  std::vector<std::uint16_t> words(total);
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(o.interval_s));
  auto next = std::chrono::steady_clock::now();
  for (unsigned done = 0; !g_watch_stop.load() && (o.reads == 0 || done < o.reads); ++done) {
    TxStatus status;
    if (!conn.connected()) {
      status = conn.connect();
      if (status.ok()) ++stats.reconnects;
    }
    double ms = 0;
    if (status.ok()) {
      const auto t0 = std::chrono::steady_clock::now();
      status = conn.read(o.unit, table, o.address, total, words.data());
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
    ++stats.requests;
    if (status.ok()) {
      stats.latency.add(static_cast<std::uint32_t>(std::lround(ms * 1000)));
    } else {
      ++stats.errors;
      if (status.kind == TxKind::timeout) ++stats.timeouts;
      stats.last_error = status.message;
      last_failure = exit_code_for(status.kind);
      if (status.kind == TxKind::link) conn.close();
    }

    std::vector<std::string> raw(o.values), decoded(o.values);
    for (unsigned i = 0; i < o.values && status.ok(); ++i) {
      const auto slice = std::span<const std::uint16_t>(words).subspan(i * width, width);
      for (auto w : slice) raw[i] += (raw[i].empty() ? "" : " ") + hex_word(w);
      auto value = modbus::decode(map, slice);
      decoded[i] = value ? format_number(*value) : "NaN";
    }
    if (o.json) {
      std::cout << "{\"read\":" << done + 1 << ",\"time\":\"" << wall_clock() << "\",\"ok\":" << (status.ok() ? "true" : "false");
      if (status.ok()) {
        std::cout << ",\"latency_ms\":" << format_number(std::round(ms * 1000) / 1000) << ",\"values\":[";
        for (unsigned i = 0; i < o.values; ++i) std::cout << (i ? "," : "") << (decoded[i] == "NaN" ? "null" : decoded[i]);
        std::cout << "]";
      } else {
        std::cout << ",\"error\":\"" << json_escape(status.message) << "\"";
      }
      std::cout << ",\"stats\":" << stats.json() << "}\n" << std::flush;
    } else if (live_screen) {
      std::cout << "\033[H\033[2J" << where << "  unit " << o.unit << "  " << o.table << " " << o.address << "  "
                << modbus::type_name(map.type()) << "  every " << format_number(o.interval_s) << " s  "
                << wall_clock() << "  (Ctrl-C stops)\n\n";
      std::printf("%-8s %-15s %16s\n", "ADDRESS", "RAW", "VALUE");
      for (unsigned i = 0; i < o.values; ++i) {
        std::printf("%-8u %-15s %16s\n", o.address + i * width, status.ok() ? raw[i].c_str() : "-",
                    status.ok() ? decoded[i].c_str() : "-");
      }
      std::cout << "\n" << stats.line() << "\n";
      if (!stats.last_error.empty()) std::cout << "last error: " << stats.last_error << "\n";
      std::cout << std::flush;
    } else {
      std::cout << wall_clock() << "  ";
      if (status.ok()) {
        for (unsigned i = 0; i < o.values; ++i) std::cout << (i ? "  " : "") << o.address + i * width << "=" << decoded[i];
        std::cout << "  (" << format_number(std::round(ms * 10) / 10) << " ms)";
      } else {
        std::cout << "error: " << status.message;
      }
      std::cout << "\n" << std::flush;
    }
    if (o.reads != 0 && done + 1 >= o.reads) break;
    next += interval;
    while (!g_watch_stop.load() && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(next - std::chrono::steady_clock::now(),
                                                                                std::chrono::milliseconds(50)));
    }
    sleep_gap(b);
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (!o.json) std::cout << (live_screen ? "" : "\n") << where << " unit " << o.unit << ": " << stats.line() << "\n";
  if (stats.errors == 0) return kExitOk;
  if (!o.json) std::cerr << "atmo modbus watch: " << stats.errors << " of " << stats.requests << " reads failed; last: " << stats.last_error << "\n";
  return last_failure;
}

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("target", o.target, "Bus URL (tcp://HOST:PORT, 'rtu:///dev/ttyUSB0?baud=9600&parity=N' quoted for the shell) or a bus id of --venue")
      ->required();
  cmd->add_option("--venue", o.venue_file, "Venue file whose bus ids TARGET may name (default: the built-in demo venue)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--timeout", o.timeout_ms, "Response timeout in ms")->capture_default_str()->check(CLI::Range(10u, 60000u));
}

void add_value(CLI::App* cmd, ValueOptions& o, bool reading) {
  cmd->add_option("--type", o.type, "u16, i16, u32, i32, f32 (coils and discrete inputs are always bool)")
      ->capture_default_str()
      ->check(CLI::IsMember({"u16", "i16", "u32", "i32", "f32", "bool"}));
  if (reading) {
    cmd->add_option("--order", o.order, "Byte order of 32-bit values: abcd, cdab, badc, dcba, or all to compare them")
        ->capture_default_str()
        ->check(CLI::IsMember({"abcd", "cdab", "badc", "dcba", "all"}));
  } else {
    cmd->add_option("--order", o.order, "Byte order of 32-bit values: abcd, cdab, badc, dcba")
        ->capture_default_str()
        ->check(CLI::IsMember({"abcd", "cdab", "badc", "dcba"}));
  }
  cmd->add_option("--scale", o.scale, "Engineering value = raw * scale + offset (default 1)");
  cmd->add_option("--offset", o.offset, "Added after scaling")->capture_default_str();
  cmd->add_option("--bit", o.bit, "One bit (0..15) of a holding or input register")->check(CLI::Range(0u, 15u));
}

const std::vector<std::string> kTableNames = {"holding", "input", "coil", "discrete"};

}  // namespace

void add_modbus_commands(CLI::App& app) {
  auto* modbus = app.add_subcommand("modbus", "Read, write, scan and watch Modbus devices directly (diagnostics)");
  modbus->require_subcommand(1);
  modbus->footer(
      "Talks to the bus directly, bypassing the daemon: on a serial line, stop the daemon's bus\n"
      "first (RS-485 allows one master). Exit codes: 0 ok, 2 usage, 3 venue invalid,\n"
      "4 no answer / cannot connect, 5 the device answered with an exception or garbage.");

  auto read = std::make_shared<ReadOptions>();
  auto* r = modbus->add_subcommand("read", "Read registers or bits and decode them");
  add_common(r, read->common);
  r->add_option("unit", read->unit, "Unit id: 1..247 on RTU; TCP devices may also use 0 or 255")
      ->required()
      ->check(CLI::Range(0u, 255u));
  r->add_option("table", read->table, "holding, input, coil or discrete")->required()->check(CLI::IsMember(kTableNames));
  r->add_option("address", read->address, "First 0-based protocol address (register 40001 is holding 0)")
      ->required()
      ->check(CLI::Range(0u, 65535u));
  r->add_option("count", read->count, "How many values (of --type) to read")->capture_default_str()->check(CLI::Range(1u, 2000u));
  add_value(r, read->value, true);
  r->add_flag("--json", read->json, "Print JSON instead of a table");
  r->footer(
      "Examples:\n"
      "  atmo modbus read tcp://192.168.1.50:502 1 input 0 4\n"
      "  atmo modbus read tcp://10.0.0.7 3 holding 100 --type f32 --order all   # which order is right?\n"
      "  atmo modbus read 'rtu:///dev/ttyUSB0?baud=19200&parity=E' 7 input 0 --type i16 --scale 0.1\n"
      "  atmo modbus read lounge-bus 12 holding 0 2 --venue spa.yaml --json");
  r->callback([read] { throw CLI::RuntimeError(run_read(*read)); });

  auto write = std::make_shared<WriteOptions>();
  auto* w = modbus->add_subcommand("write", "Encode a value and write it to a holding register or coil");
  add_common(w, write->common);
  w->add_option("unit", write->unit, "Unit id: 1..247 on RTU (0 broadcasts, with no reply); TCP devices may use 255")
      ->required()
      ->check(CLI::Range(0u, 255u));
  w->add_option("table", write->table, "holding or coil")->required()->check(CLI::IsMember(kTableNames));
  w->add_option("address", write->address, "0-based protocol address")->required()->check(CLI::Range(0u, 65535u));
  w->add_option("value", write->number, "Engineering value (scaled back to raw with --scale/--offset)")->required();
  add_value(w, write->value, false);
  w->add_flag("--verify", write->verify, "Read the value back and compare (exit 5 if it differs)");
  w->footer(
      "Examples:\n"
      "  atmo modbus write tcp://10.0.0.7:502 4 holding 0 65           # light level 65 %\n"
      "  atmo modbus write tcp://10.0.0.7 4 holding 20 21.5 --type f32 --order cdab --verify\n"
      "  atmo modbus write rtu:///dev/ttyUSB0 9 coil 0 1                # diffuser on");
  w->callback([write] { throw CLI::RuntimeError(run_write(*write)); });

  auto scan = std::make_shared<ScanOptions>();
  auto* s = modbus->add_subcommand("scan", "Find which unit ids answer on a bus");
  add_common(s, scan->common);
  s->get_option("--timeout")->default_val(200u);
  s->add_option("--units", scan->units, "Unit ids to try: 1-247, 5, or 1,3,10-12")->capture_default_str();
  s->add_option("--table", scan->table, "Table to probe")->capture_default_str()->check(CLI::IsMember(kTableNames));
  s->add_option("--address", scan->address, "Address to probe")->capture_default_str()->check(CLI::Range(0u, 65535u));
  s->add_flag("--json", scan->json, "Print JSON instead of a table");
  s->footer(
      "A unit that answers with an exception (e.g. Illegal data address) is listed too: a device is there.\n"
      "Examples:\n"
      "  atmo modbus scan tcp://192.168.1.50:502 --units 1-20\n"
      "  atmo modbus scan 'rtu:///dev/ttyUSB0?baud=9600&parity=N' --timeout 100");
  s->callback([scan] { throw CLI::RuntimeError(run_scan(*scan)); });

  auto watch = std::make_shared<WatchOptions>();
  auto* wt = modbus->add_subcommand("watch", "Read the same values again and again, with bus statistics");
  add_common(wt, watch->common);
  wt->add_option("unit", watch->unit, "Unit id: 1..247 on RTU; TCP devices may also use 0 or 255")
      ->required()
      ->check(CLI::Range(0u, 255u));
  wt->add_option("table", watch->table, "holding, input, coil or discrete")->required()->check(CLI::IsMember(kTableNames));
  wt->add_option("address", watch->address, "First 0-based protocol address")->required()->check(CLI::Range(0u, 65535u));
  wt->add_option("values", watch->values, "How many values (of --type) to read each time")
      ->capture_default_str()
      ->check(CLI::Range(1u, 2000u));
  add_value(wt, watch->value, false);
  wt->add_option("-i,--interval", watch->interval_s, "Seconds between reads")->capture_default_str()->check(CLI::Range(0.01, 3600.0));
  wt->add_option("-n,--count", watch->reads, "Stop after this many reads (0: until Ctrl-C)")->capture_default_str();
  wt->add_flag("--json", watch->json, "One JSON line per read, with the running statistics");
  wt->footer(
      "On a terminal the values redraw in place; otherwise one line per read. Statistics: requests,\n"
      "errors (timeouts included), timeouts, reconnects, and latency p50/p99 over the last 256 answers.\n"
      "A lost connection is reopened on the next read. Ctrl-C prints the statistics and stops.\n"
      "Exit codes: 0 every read answered, 4 some timed out or the connection failed, 5 some answered\n"
      "with an exception or garbage (the last failure decides), 2 usage, 3 venue invalid.\n"
      "Examples:\n"
      "  atmo modbus watch tcp://192.168.1.50:502 1 input 0 4\n"
      "  atmo modbus watch tcp://10.0.0.7 3 holding 100 --type f32 --order cdab --interval 0.2\n"
      "  atmo modbus watch lounge-bus 12 input 0 --venue spa.yaml --count 60 --json > lounge.jsonl");
  wt->callback([watch] { throw CLI::RuntimeError(run_watch(*watch)); });
}

}  // namespace atmo::cli
