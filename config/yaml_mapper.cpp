#include "config/yaml_mapper.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "config/did_you_mean.hpp"

namespace atmo::config {
namespace pb = google::protobuf;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "RegisterTable" -> "REGISTER_TABLE_"
std::string enum_prefix(const pb::EnumDescriptor& type) {
  std::string out;
  for (char c : type.name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out + "_";
}

template <class T>
bool parse_integer(const std::string& text, T& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  int base = 10;
  if (end - begin > 2 && begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X')) {
    base = 16;  // register maps are often written in hex
    begin += 2;
  }
  auto [ptr, ec] = std::from_chars(begin, end, out, base);
  return ec == std::errc() && ptr == end;
}

bool parse_double(const std::string& text, double& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

bool parse_bool(const std::string& text, bool& out) {
  const std::string t = lower(text);
  if (t == "true" || t == "yes" || t == "on") {
    out = true;
    return true;
  }
  if (t == "false" || t == "no" || t == "off") {
    out = false;
    return true;
  }
  return false;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "the value '" + node.Scalar() + "'";
    default: return "nothing";
  }
}

std::string YamlMapper::enum_yaml_name(const pb::EnumValueDescriptor& value) {
  const std::string prefix = enum_prefix(*value.type());
  std::string name = value.name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return lower(name);
}

Location YamlMapper::location(const YAML::Mark& mark) const {
  return Location{file_, mark.line + 1, mark.column + 1};
}

void YamlMapper::error(const YAML::Mark& mark, std::string message) {
  const Location loc = location(mark);
  errors_.push_back(Diagnostic{loc.file, loc.line, loc.column, std::move(message)});
}

void YamlMapper::map_message(const YAML::Node& node, pb::Message& message) {
  const pb::Descriptor& type = *message.GetDescriptor();
  sources_.set(&message, "", location(node.Mark()));
  if (!node.IsMap()) {
    error(node.Mark(), "expected a mapping of " + type.name() + " settings, got " + node_kind(node));
    return;
  }
  std::vector<std::string> known;
  for (int i = 0; i < type.field_count(); ++i) known.push_back(type.field(i)->name());

  std::map<const pb::OneofDescriptor*, std::string> oneof_seen;
  std::vector<std::string> seen_keys;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // yaml-cpp's operator-> returns a proxy that dies too early (ASan: stack use after scope);
    // dereference into a pair of our own instead.
    const auto entry = *it;
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      error(key.Mark(), "expected a key name in " + type.name() + ", got " + node_kind(key));
      continue;
    }
    const std::string name = key.Scalar();
    if (std::find(seen_keys.begin(), seen_keys.end(), name) != seen_keys.end()) {
      error(key.Mark(), "duplicate key " + quote(name) + " in " + type.name());
      continue;
    }
    seen_keys.push_back(name);
    const pb::FieldDescriptor* field = type.FindFieldByName(name);
    if (!field) {
      error(key.Mark(), "unknown key " + quote(name) + " in " + type.name() + did_you_mean(name, known));
      // The key the user most likely meant is now "missing"; that is the same mistake.
      if (auto meant = closest_match(name, known)) sources_.mark_invalid(&message, *meant);
      continue;
    }
    if (const pb::OneofDescriptor* oneof = field->real_containing_oneof()) {
      auto [pos, inserted] = oneof_seen.emplace(oneof, name);
      if (!inserted) {
        error(key.Mark(), quote(name) + " and " + quote(pos->second) + " cannot both be set in " + type.name());
        continue;
      }
    }
    if (!value.IsDefined() || value.IsNull()) {
      error(key.Mark(), "key " + quote(name) + " has no value");
      sources_.mark_invalid(&message, name);
      continue;
    }
    sources_.set(&message, name, location(value.Mark()));
    const std::size_t errors_before = errors_.size();
    map_field(value, message, *field);
    if (errors_.size() != errors_before) sources_.mark_invalid(&message, name);
  }
}

void YamlMapper::map_field(const YAML::Node& node, pb::Message& message, const pb::FieldDescriptor& field) {
  const pb::Reflection& refl = *message.GetReflection();
  if (field.is_map()) {
    map_map_field(node, message, field);
    return;
  }
  if (field.is_repeated()) {
    if (!node.IsSequence()) {
      error(node.Mark(), "expected a list for " + quote(field.name()) + ", got " + node_kind(node));
      return;
    }
    int index = 0;
    for (const auto& element : node) {
      if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        map_message(element, *refl.AddMessage(&message, &field));
      } else {
        sources_.set(&message, field.name() + "[" + std::to_string(index) + "]", location(element.Mark()));
        set_scalar(element, message, field, true);
      }
      ++index;
    }
    return;
  }
  if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    map_message(node, *refl.MutableMessage(&message, &field));
    return;
  }
  set_scalar(node, message, field, false);
}

void YamlMapper::map_map_field(const YAML::Node& node, pb::Message& message, const pb::FieldDescriptor& field) {
  if (!node.IsMap()) {
    error(node.Mark(), "expected a mapping for " + quote(field.name()) + ", got " + node_kind(node));
    return;
  }
  const pb::Reflection& refl = *message.GetReflection();
  const pb::Descriptor& entry_type = *field.message_type();
  const pb::FieldDescriptor& key_field = *entry_type.map_key();
  const pb::FieldDescriptor& value_field = *entry_type.map_value();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto kv = *it;  // not it->: see map_message
    if (!kv.first.IsScalar()) {
      error(kv.first.Mark(), "expected a name as key in " + quote(field.name()) + ", got " + node_kind(kv.first));
      continue;
    }
    pb::Message* entry = refl.AddMessage(&message, &field);
    sources_.set(&message, field.name() + "[" + kv.first.Scalar() + "]", location(kv.second.Mark()));
    set_scalar(kv.first, *entry, key_field, false);
    if (value_field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      map_message(kv.second, *entry->GetReflection()->MutableMessage(entry, &value_field));
    } else {
      set_scalar(kv.second, *entry, value_field, false);
    }
  }
}

void YamlMapper::set_scalar(const YAML::Node& node, pb::Message& message, const pb::FieldDescriptor& field,
                            bool add) {
  const pb::Reflection& refl = *message.GetReflection();
  const std::string what = quote(field.name());
  if (!node.IsScalar()) {
    error(node.Mark(), "expected a single value for " + what + ", got " + node_kind(node));
    return;
  }
  const std::string text = node.Scalar();
  const auto bad = [&](const std::string& expected) {
    error(node.Mark(), "expected " + expected + " for " + what + ", got '" + text + "'");
  };
  using F = pb::FieldDescriptor;
  switch (field.cpp_type()) {
    case F::CPPTYPE_STRING:
      add ? refl.AddString(&message, &field, text) : refl.SetString(&message, &field, text);
      return;
    case F::CPPTYPE_BOOL: {
      bool v = false;
      if (!parse_bool(text, v)) return bad("true or false");
      add ? refl.AddBool(&message, &field, v) : refl.SetBool(&message, &field, v);
      return;
    }
    case F::CPPTYPE_DOUBLE:
    case F::CPPTYPE_FLOAT: {
      double v = 0;
      if (!parse_double(text, v)) return bad("a number");
      if (field.cpp_type() == F::CPPTYPE_FLOAT) {
        add ? refl.AddFloat(&message, &field, static_cast<float>(v))
            : refl.SetFloat(&message, &field, static_cast<float>(v));
      } else {
        add ? refl.AddDouble(&message, &field, v) : refl.SetDouble(&message, &field, v);
      }
      return;
    }
    case F::CPPTYPE_UINT32: {
      std::uint32_t v = 0;
      if (!text.empty() && text[0] == '-') return bad("a whole number of 0 or more");
      if (!parse_integer(text, v)) return bad("a whole number from 0 to 4294967295");
      add ? refl.AddUInt32(&message, &field, v) : refl.SetUInt32(&message, &field, v);
      return;
    }
    case F::CPPTYPE_UINT64: {
      std::uint64_t v = 0;
      if (!text.empty() && text[0] == '-') return bad("a whole number of 0 or more");
      if (!parse_integer(text, v)) return bad("a whole number");
      add ? refl.AddUInt64(&message, &field, v) : refl.SetUInt64(&message, &field, v);
      return;
    }
    case F::CPPTYPE_INT32: {
      std::int32_t v = 0;
      if (!parse_integer(text, v)) return bad("a whole number");
      add ? refl.AddInt32(&message, &field, v) : refl.SetInt32(&message, &field, v);
      return;
    }
    case F::CPPTYPE_INT64: {
      std::int64_t v = 0;
      if (!parse_integer(text, v)) return bad("a whole number");
      add ? refl.AddInt64(&message, &field, v) : refl.SetInt64(&message, &field, v);
      return;
    }
    case F::CPPTYPE_ENUM: {
      const pb::EnumDescriptor& type = *field.enum_type();
      std::vector<std::string> names;
      for (int i = 1; i < type.value_count(); ++i) {  // 0 is always *_UNSPECIFIED: not for users
        const pb::EnumValueDescriptor& v = *type.value(i);
        const std::string name = enum_yaml_name(v);
        if (name == lower(text)) {
          add ? refl.AddEnum(&message, &field, &v) : refl.SetEnum(&message, &field, &v);
          return;
        }
        names.push_back(name);
      }
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      const std::string hint = did_you_mean(lower(text), names);
      error(node.Mark(), "unknown " + what + " value '" + text + "'" +
                             (hint.empty() ? "; expected one of: " + list : hint));
      return;
    }
    default:
      error(node.Mark(), "field " + what + " cannot be set from YAML");
      return;
  }
}

}  // namespace atmo::config
