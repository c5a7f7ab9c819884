// libFuzzer target: a venue file as an installer might write it, through the YAML loader the
// daemon and `atmo config check` use (yaml-cpp, YamlMapper onto the schema, validate_venue), and,
// when the loader accepts it, on into the venue model and the schedule the daemon would build.
// Properties: no crash, no sanitizer report, no hang; every problem is a located Diagnostic; a
// venue the validator accepts is one the model and the scheduler accept too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/source_files.hpp"
#include "config/source_map.hpp"
#include "config/venue_loader.hpp"
#include "config/venue_validator.hpp"
#include "config/yaml_mapper.hpp"
#include "zones/schedule.hpp"
#include "zones/venue.hpp"

namespace {

using atmo::config::Diagnostic;

/// The standard device profiles compiled into atmo, mapped once (a venue naming profile_dirs gets
/// them, as the demo venue does from config/profiles).
struct Profiles {
  atmo::config::SourceMap sources;
  std::vector<atmo::v1::DeviceProfile> list;
  Profiles() {
    const atmo::config::EmbeddedFiles files;
    const auto dir = atmo::config::EmbeddedFiles::demo_venue().parent_path().parent_path() / "profiles";
    std::vector<Diagnostic> errors;
    for (const auto& file : files.list_yaml(dir).value_or(std::vector<std::filesystem::path>{})) {
      std::string error;
      const auto text = files.read(file, error);
      if (!text) continue;
      atmo::v1::DeviceProfile profile;
      atmo::config::YamlMapper(file.string(), sources, errors).map_message(YAML::Load(*text), profile);
      list.push_back(std::move(profile));
    }
    if (list.empty() || !errors.empty()) std::abort();  // the embedded profiles must load cleanly
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Profiles profiles;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  std::vector<Diagnostic> errors;
  atmo::config::SourceMap sources;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return 0;  // a syntax error: the loader reports it with its mark, nothing else to exercise
  }
  if (!root.IsDefined() || root.IsNull()) return 0;

  atmo::v1::Venue venue;
  atmo::config::YamlMapper(file, sources, errors).map_message(root, venue);
  if (venue.profile_dirs_size() > 0) {
    for (const auto& p : profiles.list) *venue.add_profiles() = p;
  }
  atmo::config::validate_venue(venue, sources, errors);
  for (const auto& e : errors) {
    if (e.message.empty()) std::abort();  // every problem must say what is wrong
    (void)e.to_string();
  }
  if (!errors.empty()) return 0;

  // Accepted: the daemon would now build its model and its schedule from it.
  const auto model = atmo::zones::Venue::create(std::move(venue));  // throws (and so fails) on a validator gap
  auto schedule = atmo::zones::Schedule::create(model);
  if (!schedule) std::abort();  // the validator let through a schedule the scheduler refuses
  const atmo::TimeMs t = 1795420800000;  // a Monday morning in 2026
  (void)schedule->active_at(t);
  (void)schedule->upcoming(t, 2);
  return 0;
}
