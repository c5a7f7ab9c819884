#include "controller/cli/report_commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "config/venue_loader.hpp"
#include "controller/cli/exit_codes.hpp"
#include "controller/controller.hpp"
#include "controller/report/day_report.hpp"
#include "controller/report/log_export.hpp"
#include "controller/report/report_formats.hpp"
#include "controller/telemetry/telemetry_reader.hpp"
#include "zones/schedule.hpp"

namespace atmo::cli {
namespace {

namespace fs = std::filesystem;

struct Source {
  std::string venue_file;
  std::string db;
  std::string state_dir = "/var/lib/atmo";
};

struct ReportOptions {
  Source source;
  std::string date;
  std::string zone;
  std::string format = "html";
  std::string out;
  std::string lang = "en";
  bool json = false;
};

struct ExportOptions {
  Source source;
  std::string from;
  std::string to;
  std::vector<std::string> points;
  std::string zone;
  std::string out;
  bool raw = false;
  std::string step;
};

struct Loaded {
  std::shared_ptr<const zones::Venue> venue;
  std::optional<zones::Schedule> schedule;
  std::optional<report::VenueTime> time;
  std::unique_ptr<telemetry::TelemetryReader> reader;
  std::string db;
};

/// Loads the venue and opens the database read-only; on failure prints why and returns the exit code.
std::variant<Loaded, int> load(const Source& source) {
  auto loaded = config::load_venue_file(source.venue_file);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "atmo: the venue file " << source.venue_file << " has errors; run 'atmo config check "
              << source.venue_file << "'\n";
    return kExitConfigInvalid;
  }
  Loaded out;
  out.venue = zones::Venue::create(std::move(*loaded.venue));
  auto schedule = zones::Schedule::create(out.venue);
  if (!schedule) {
    std::cerr << "atmo: " << source.venue_file << ": " << schedule.error().message << "\n";
    return kExitConfigInvalid;
  }
  out.schedule.emplace(std::move(schedule).value());
  auto time = report::VenueTime::create(out.venue->config().time_zone());
  if (!time) {
    std::cerr << "atmo: " << source.venue_file << ": " << time.error().message << "\n";
    return kExitConfigInvalid;
  }
  out.time.emplace(std::move(time).value());
  // Same default as the daemon: the venue's storage.database, relative to the state directory.
  out.db = source.db;
  if (out.db.empty()) out.db = controller::telemetry_database_path(*out.venue, source.state_dir);
  std::error_code ec;
  if (!fs::exists(out.db, ec)) {
    std::cerr << "atmo: no telemetry database at " << out.db
              << " (give the daemon's database with --db, or its --state-dir)\n";
    return kExitUnreachable;
  }
  auto reader = telemetry::TelemetryReader::open(out.db);
  if (!reader) {
    std::cerr << "atmo: cannot read the telemetry database " << out.db << ": " << reader.error().message << "\n";
    return kExitUnreachable;
  }
  out.reader = std::move(reader).value();
  return out;
}

/// Writes `text` to `path` through a temporary file, so a failed write never leaves half a report.
bool write_file(const std::string& path, const std::string& text) {
  const std::string part = path + ".part";
  {
    std::ofstream f(part, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::cerr << "atmo: cannot write " << path << "\n";
      std::error_code ec;
      fs::remove(part, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(part, path, ec);
  if (ec) {
    std::cerr << "atmo: cannot write " << path << ": " << ec.message() << "\n";
    return false;
  }
  return true;
}

/// "report.csv" -> "report.criteria.csv".
std::string criteria_path(const std::string& out) {
  fs::path p(out);
  const auto ext = p.extension().string();
  return (p.parent_path() / (p.stem().string() + ".criteria" + (ext.empty() ? ".csv" : ext))).string();
}

int run_report(const ReportOptions& opt) {
  auto loaded_or = load(opt.source);
  if (auto* code = std::get_if<int>(&loaded_or)) return *code;
  auto& loaded = std::get<Loaded>(loaded_or);

  std::string date = opt.date;
  if (date.empty() || date == "yesterday" || date == "today") {
    const TimeMs now = SystemClock{}.now_ms();
    const auto today = loaded.schedule->local_date(now);
    date = opt.date == "today" ? today.to_string()
                               : loaded.schedule->local_date(loaded.schedule->start_of_day(today) - 1).to_string();
  }
  report::ReportRequest request;
  request.date = date;
  if (!opt.zone.empty()) request.zone = opt.zone;
  request.lang = opt.lang;
  request.database = loaded.db;
  auto built = report::build_day_report(*loaded.venue, *loaded.schedule, *loaded.time, *loaded.reader, request);
  if (const auto* error = std::get_if<report::ReportError>(&built)) {
    std::cerr << "atmo: " << error->message << "\n";
    switch (error->kind) {
      case report::ReportFailure::usage: return kExitUsage;
      case report::ReportFailure::no_data: return kExitFailure;
      case report::ReportFailure::database: return kExitUnreachable;
    }
    return kExitFailure;
  }
  const auto& r = std::get<report::DayReport>(built);

  if (opt.json && opt.out.empty()) {
    std::cout << report::render_json_summary(r, *loaded.time);
    return kExitOk;
  }
  std::string text, second;
  if (opt.format == "html") {
    text = report::render_html(r, *loaded.time);
  } else if (opt.format == "md") {
    text = report::render_markdown(r, *loaded.time);
  } else {
    text = report::render_senses_csv(r);
    second = report::render_criteria_csv(r);
  }
  if (opt.out.empty() || opt.out == "-") {
    std::cout << text;
    if (!second.empty()) std::cout << "\n" << second;
    return kExitOk;
  }
  if (!write_file(opt.out, text)) return kExitFailure;
  if (!second.empty() && !write_file(criteria_path(opt.out), second)) return kExitFailure;
  if (opt.json) std::cout << report::render_json_summary(r, *loaded.time);
  std::cerr << "wrote " << opt.out << (second.empty() ? "" : " and " + criteria_path(opt.out)) << " ("
            << r.zones.size() << (r.zones.size() == 1 ? " zone" : " zones") << ", " << r.date << ")\n";
  return kExitOk;
}

/// "60s", "5m", "5min", "1h", "500ms", or plain seconds.
std::optional<TimeMs> parse_step(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string unit = text.substr(used);
  double ms = 0;
  if (unit.empty() || unit == "s") {
    ms = v * 1000;
  } else if (unit == "ms") {
    ms = v;
  } else if (unit == "m" || unit == "min") {
    ms = v * 60'000;
  } else if (unit == "h") {
    ms = v * 3'600'000;
  } else if (unit == "d") {
    ms = v * 86'400'000;
  } else {
    return std::nullopt;
  }
  if (!(ms >= 1)) return std::nullopt;
  return static_cast<TimeMs>(ms);
}

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void show(const report::ExportProgress& p, std::size_t points) {
    if (!enabled_) return;
    const int permille = static_cast<int>(p.fraction * 1000);
    if (permille == last_ && p.fraction < 1.0) return;
    last_ = permille;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(p.fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r[%s] %5.1f%%  point %zu/%zu  %llu rows", bar.c_str(), p.fraction * 100.0,
                 std::min(p.point_index + 1, points), points, static_cast<unsigned long long>(p.rows));
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_ && last_ >= 0) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
  int last_ = -1;
};

int run_export(const ExportOptions& opt) {
  std::optional<TimeMs> step;
  if (!opt.step.empty()) {
    step = parse_step(opt.step);
    if (!step) {
      std::cerr << "atmo: --step " << opt.step << ": use a duration such as 60s, 5min or 1h\n";
      return kExitUsage;
    }
  }
  auto loaded_or = load(opt.source);
  if (auto* code = std::get_if<int>(&loaded_or)) return *code;
  auto& loaded = std::get<Loaded>(loaded_or);
  const auto& venue = *loaded.venue;

  report::ExportRequest request;
  auto from = loaded.time->parse(opt.from);
  if (!from) {
    std::cerr << "atmo: --from: " << from.error().message << "\n";
    return kExitUsage;
  }
  request.from_ms = *from;
  if (opt.to.empty()) {
    request.to_ms = SystemClock{}.now_ms();
  } else {
    auto to = loaded.time->parse(opt.to);
    if (!to) {
      std::cerr << "atmo: --to: " << to.error().message << "\n";
      return kExitUsage;
    }
    // A bare date as the end means "through that day".
    request.to_ms = opt.to.size() == 10 ? loaded.schedule->next_day_start(*to) : *to;
  }
  if (request.to_ms <= request.from_ms) {
    std::cerr << "atmo: --to must be after --from\n";
    return kExitUsage;
  }
  if (!opt.zone.empty() && venue.zone(opt.zone) == nullptr) {
    std::string known;
    for (const auto& z : venue.zones()) known += (known.empty() ? "" : ", ") + z.id();
    std::cerr << "atmo: unknown zone '" << opt.zone << "'; the venue's zones are: " << known << "\n";
    return kExitUsage;
  }
  for (const auto& name : opt.points) {
    const zones::Point* p = venue.point(name);
    if (p == nullptr && !opt.zone.empty()) p = venue.zone_point(opt.zone, name);
    if (p == nullptr) {
      std::cerr << "atmo: unknown point '" << name
                << "'; name it as zone.device.point (e.g. lounge.air.temperature), or device.point with --zone;"
                   " 'atmo config check' lists the venue\n";
      return kExitUsage;
    }
    request.points.push_back(p->id);
  }
  if (opt.points.empty()) {
    for (const auto& p : venue.points()) {
      if (!p.disabled && (opt.zone.empty() || p.zone == opt.zone)) request.points.push_back(p.id);
    }
  }
  request.step_ms = step.value_or(0);

  const bool to_stdout = opt.out.empty() || opt.out == "-";
  const bool tty = isatty(STDERR_FILENO) != 0 && (!to_stdout || isatty(STDOUT_FILENO) == 0);
  ProgressBar bar(tty);
  const auto progress = [&](const report::ExportProgress& p) { bar.show(p, request.points.size()); };

  const std::string part = opt.out + ".part";
  std::ofstream file;
  if (!to_stdout) {
    file.open(part, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "atmo: cannot write " << opt.out << "\n";
      return kExitFailure;
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  auto summary = report::export_readings(*loaded.reader, *loaded.time, request, out, progress);
  bar.finish();
  if (!summary) {
    std::cerr << "atmo: export failed: " << summary.error().message << "\n";
    const bool write_failed = !out;  // else the database could not be read
    if (!to_stdout) {
      file.close();
      std::error_code ec;
      fs::remove(part, ec);
    }
    return write_failed ? kExitFailure : kExitUnreachable;
  }
  if (!to_stdout) {
    file.close();
    std::error_code ec;
    fs::rename(part, opt.out, ec);
    if (ec) {
      std::cerr << "atmo: cannot write " << opt.out << ": " << ec.message() << "\n";
      return kExitFailure;
    }
  }
  std::cerr << "exported " << summary->rows << " rows of " << summary->points_with_data << "/"
            << request.points.size() << " points, " << loaded.time->iso(request.from_ms) << " to "
            << loaded.time->iso(request.to_ms) << (to_stdout ? std::string() : " to " + opt.out) << "\n";
  return kExitOk;
}

void add_source_options(CLI::App* cmd, Source& source) {
  cmd->add_option("--venue,-c", source.venue_file, "Venue YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--db", source.db, "Telemetry database (default: the daemon's, under --state-dir)");
  cmd->add_option("--state-dir", source.state_dir, "The daemon's state directory, to find its database")
      ->capture_default_str();
}

}  // namespace

void add_report_commands(CLI::App& app) {
  auto ropt = std::make_shared<ReportOptions>();
  auto* rep = app.add_subcommand("report", "A day's compliance, alarms, checklist and plots as HTML, CSV or Markdown");
  add_source_options(rep, ropt->source);
  rep->add_option("--date,-d", ropt->date, "Venue-local day YYYY-MM-DD, 'today' or 'yesterday' (default)");
  rep->add_option("--zone,-z", ropt->zone, "Only this zone");
  rep->add_option("--format,-f", ropt->format, "html (one self-contained page), csv or md")
      ->check(CLI::IsMember({"html", "csv", "md"}))
      ->capture_default_str();
  rep->add_option("--out,-o", ropt->out, "Write to this file instead of standard output");
  rep->add_option("--lang", ropt->lang, "Language of the report")->check(CLI::IsMember({"en", "ru"}))->capture_default_str();
  rep->add_flag("--json", ropt->json, "Print a JSON summary (index, times, alarms, checklist) on standard output");
  rep->footer(
      "The report shows, per zone: the daily compliance index of each sense with time in and out of\n"
      "standard and without data; time out of range per criterion; alarms with raised/cleared times,\n"
      "duration and worst value; checklist confirmations (who, when) and items never confirmed; scene\n"
      "changes; and a plot of each criterion's readings over the day against its standard band.\n"
      "The HTML page needs nothing else to open or print (A4, a page per zone). CSV writes one row per\n"
      "zone and sense; with --out FILE.csv the criteria table goes to FILE.criteria.csv (on standard\n"
      "output it follows after a blank line). Columns: docs/reports.md.\n\n"
      "Exit codes: 0 ok, 1 no data for that day, 2 bad date/zone/option, 3 venue file has errors,\n"
      "4 database missing or unreadable.\n\n"
      "Examples:\n"
      "  atmo report -c /etc/atmo/venue.yaml --date 2026-11-20 -o aurora-2026-11-20.html\n"
      "  atmo report -c venue.yaml --db /var/lib/atmo/aurora-spa.db --zone hammam --format md\n"
      "  atmo report -c venue.yaml --date 2026-11-20 --format csv -o day.csv   # + day.criteria.csv\n"
      "  atmo report -c venue.yaml --date yesterday --lang ru -o otchet.html\n"
      "  atmo report -c venue.yaml --date 2026-11-20 --json | jq '.zones[].senses'");
  rep->callback([ropt] { throw CLI::RuntimeError(run_report(*ropt)); });

  auto* log = app.add_subcommand("log", "Stored readings and events");
  log->require_subcommand(1);
  auto eopt = std::make_shared<ExportOptions>();
  auto* exp = log->add_subcommand("export", "Export stored readings to CSV");
  add_source_options(exp, eopt->source);
  exp->add_option("--from", eopt->from, "Start: YYYY-MM-DD[THH:MM[:SS]] venue time, or with Z/+HH:MM")->required();
  exp->add_option("--to", eopt->to, "End (exclusive; a bare date means through that day). Default: now");
  exp->add_option("--points,-p", eopt->points, "Points, comma separated (zone.device.point)")->delimiter(',');
  exp->add_option("--zone,-z", eopt->zone, "Every point of this zone (or with --points: device.point names)");
  exp->add_option("--out,-o", eopt->out, "CSV file to write (default: standard output)");
  auto* raw = exp->add_flag("--raw", eopt->raw, "Every stored reading with its quality (the default)");
  exp->add_option("--step", eopt->step, "Per-step averages of good readings instead, e.g. 60s, 5min, 1h")
      ->excludes(raw);
  exp->footer(
      "Columns: time (ISO-8601 in the venue's time zone), time_ms (UTC milliseconds), point, value,\n"
      "quality (good, stale, bad, offline); with --step also min, max and count of the step. Rows come\n"
      "point by point, oldest first. Raw readings are kept for the venue's raw_retention_days (30 by\n"
      "default); --step of 60s or more reads the per-minute rollups, kept much longer. A progress bar\n"
      "shows on a terminal; a summary line ends on standard error.\n\n"
      "Examples:\n"
      "  atmo log export -c venue.yaml --from 2026-11-20 --to 2026-11-20 --zone lounge -o lounge.csv\n"
      "  atmo log export -c venue.yaml --from 2026-11-01 --to 2026-12-01 --step 5min \\\n"
      "      --points lounge.air.temperature,hammam.climate.temperature -o nov.csv\n"
      "  atmo log export -c venue.yaml --from 2026-11-20T08:00 --to 2026-11-20T12:00 -p tea.co2.co2");
  exp->callback([eopt] { throw CLI::RuntimeError(run_export(*eopt)); });
}

}  // namespace atmo::cli
