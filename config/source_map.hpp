// Where in which file each parsed message and field came from, so that checks made after parsing
// (dangling references, duplicates) still point at `file:line:col`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace google::protobuf {
class Message;
}

namespace atmo::config {

struct Location {
  std::string file;
  int line = 0;    ///< 1-based, 0 = unknown
  int column = 0;  ///< 1-based
};

class SourceMap {
 public:
  /// Records where `field` of `message` was written; an empty field is the message itself.
  /// Elements of lists and maps are recorded as "field[index]" and "field[key]".
  void set(const google::protobuf::Message* message, std::string_view field, Location location) {
    entries_[{message, std::string(field)}] = std::move(location);
  }

  /// Marks a field whose YAML could not be mapped (or was misspelt), so later checks do not
  /// report the same problem again as "missing" or "out of range".
  void mark_invalid(const google::protobuf::Message* message, std::string_view field) {
    invalid_.insert({message, std::string(field)});
  }
  bool invalid(const google::protobuf::Message* message, std::string_view field) const {
    return invalid_.contains({message, std::string(field)});
  }

  /// The field's location, else the message's, else an empty location.
  Location at(const google::protobuf::Message* message, std::string_view field = {}) const {
    if (auto it = entries_.find({message, std::string(field)}); it != entries_.end()) return it->second;
    if (auto it = entries_.find({message, std::string()}); it != entries_.end()) return it->second;
    return {};
  }

 private:
  std::map<std::pair<const google::protobuf::Message*, std::string>, Location> entries_;
  std::set<std::pair<const google::protobuf::Message*, std::string>> invalid_;
};

}  // namespace atmo::config
