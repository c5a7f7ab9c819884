#include "controller/cli/config_commands.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "config/venue_loader.hpp"
#include "controller/cli/exit_codes.hpp"
#include "zones/venue.hpp"

namespace atmo::cli {
namespace {

struct CheckOptions {
  std::string file;
  bool quiet = false;
};

void print_summary(const zones::Venue& venue, const std::string& file) {
  const auto& c = venue.config();
  std::size_t inputs = 0, outputs = 0;
  for (const auto& p : venue.points()) (p.output() ? outputs : inputs) += 1;
  std::size_t criteria = 0, checklist = 0, scenes = 0;
  for (const auto& z : c.zones()) {
    criteria += static_cast<std::size_t>(z.standard().criteria_size());
    checklist += static_cast<std::size_t>(z.standard().checklist_size());
    scenes += static_cast<std::size_t>(z.scenes_size());
  }
  std::cout << file << ": ok\n\n";
  std::cout << "venue      " << c.id() << "  \"" << zones::Venue::display_name(c.name(), "en", c.id()) << "\"  ("
            << c.time_zone() << ")\n";
  std::cout << "buses      " << c.buses_size() << "  devices " << c.devices_size() << "  profiles " << c.profiles_size()
            << "  points " << venue.points().size() << " (" << inputs << " inputs, " << outputs << " outputs)\n";
  std::cout << "zones      " << c.zones_size() << "  zone scenes " << scenes << "  venue scenes " << c.venue_scenes_size()
            << "  criteria " << criteria << "  checklist items " << checklist << "\n";
  std::cout << "programs   " << c.programs_size() << "  exceptions " << c.exceptions_size() << "\n\n";

  std::cout << "client journey:\n";
  for (const auto& z : c.zones()) {
    std::size_t devices = 0;
    for (const auto& d : venue.devices()) devices += d.zone == z.id() ? 1 : 0;
    std::string scene_ids;
    for (const auto& s : z.scenes()) scene_ids += (scene_ids.empty() ? "" : ",") + s.id();
    std::printf("  %-12s %-20s %2zu devices  scenes %s\n", z.id().c_str(),
                zones::Venue::display_name(z.name(), "en", z.id()).c_str(), devices, scene_ids.c_str());
  }
  std::cout << "\nbuses:\n";
  for (const auto& b : c.buses()) {
    const auto on_bus = venue.devices_on_bus(b.id());
    if (b.has_tcp()) {
      std::printf("  %-12s tcp %s:%u  %zu devices\n", b.id().c_str(), b.tcp().host().c_str(),
                  b.tcp().port() ? b.tcp().port() : 502u, on_bus.size());
    } else {
      std::printf("  %-12s rtu %s @%u  %zu devices\n", b.id().c_str(), b.rtu().device().c_str(),
                  b.rtu().baud() ? b.rtu().baud() : 9600u, on_bus.size());
    }
  }
  std::cout << "\nweek:\n";
  for (const auto& rule : c.week()) {
    std::string days;
    for (int d : rule.days()) {
      static const char* names[] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      days += (days.empty() ? "" : ",") + std::string(names[d]);
    }
    std::string steps;
    if (const auto* p = venue.program(rule.program())) {
      for (const auto& s : p->steps()) steps += (steps.empty() ? "" : "  ") + s.at() + " " + s.venue_scene();
    }
    std::printf("  %-28s %-8s %s\n", days.c_str(), rule.program().c_str(), steps.c_str());
  }
  if (!c.safety().fire_alarm_point().empty()) std::cout << "\nfire alarm input: " << c.safety().fire_alarm_point() << "\n";
}

int run_check(const CheckOptions& opt) {
  auto result = config::load_venue_file(opt.file);
  if (!result.ok()) {
    for (const auto& e : result.errors) std::cerr << e.to_string() << "\n";
    std::cerr << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in " << opt.file
              << "; nothing was changed.\n";
    return kExitConfigInvalid;
  }
  auto venue = zones::Venue::create(std::move(*result.venue));
  if (opt.quiet) return kExitOk;
  print_summary(*venue, opt.file);
  return kExitOk;
}

}  // namespace

void add_config_commands(CLI::App& app) {
  auto* config = app.add_subcommand("config", "Check venue files before deploying them");
  config->require_subcommand(1);
  auto opt = std::make_shared<CheckOptions>();
  auto* check = config->add_subcommand("check", "Validate a venue file and the profiles it uses");
  check->add_option("file", opt->file, "Venue YAML file")->required()->check(CLI::ExistingFile);
  check->add_flag("-q,--quiet", opt->quiet, "Print nothing on success");
  check->footer(
      "Every problem is printed as file:line:col: message, all of them at once; the exit code is 3\n"
      "when the file has errors. On success a one-screen summary of the venue is printed.\n\n"
      "Examples:\n"
      "  atmo config check config/venues/demo.yaml\n"
      "  atmo config check -q /etc/atmo/venue.yaml && systemctl reload atmo");
  check->callback([opt] { throw CLI::RuntimeError(run_check(*opt)); });
}

}  // namespace atmo::cli
