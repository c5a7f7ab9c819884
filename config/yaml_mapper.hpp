// Maps a YAML document onto a protobuf message through the message's descriptor, so the schema in
// atmo.proto is the only description of the config format. Reports unknown keys (with a
// suggestion), wrong kinds of node, values that do not parse or do not fit the field, unknown enum
// values and two members of one oneof; keeps going after each error to report them all.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/source_map.hpp"
#include "config/venue_loader.hpp"

namespace atmo::config {

class YamlMapper {
 public:
  YamlMapper(std::string file, SourceMap& sources, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), sources_(sources), errors_(errors) {}

  /// Fills `message` from `node`, which must be a mapping.
  void map_message(const YAML::Node& node, google::protobuf::Message& message);

  /// The YAML spelling of an enum value: the lower-case name without its type prefix
  /// (REGISTER_TABLE_HOLDING -> "holding").
  static std::string enum_yaml_name(const google::protobuf::EnumValueDescriptor& value);

 private:
  void map_field(const YAML::Node& node, google::protobuf::Message& message,
                 const google::protobuf::FieldDescriptor& field);
  void map_map_field(const YAML::Node& node, google::protobuf::Message& message,
                     const google::protobuf::FieldDescriptor& field);
  void set_scalar(const YAML::Node& node, google::protobuf::Message& message,
                  const google::protobuf::FieldDescriptor& field, bool add);
  void error(const YAML::Mark& mark, std::string message);
  Location location(const YAML::Mark& mark) const;

  std::string file_;
  SourceMap& sources_;
  std::vector<Diagnostic>& errors_;
};

/// "mapping", "list", "text", "nothing" — for messages about the wrong kind of node.
std::string node_kind(const YAML::Node& node);

}  // namespace atmo::config
