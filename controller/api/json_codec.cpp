#include "controller/api/json_codec.hpp"

#include <google/protobuf/util/json_util.h>

namespace atmo::api {

std::string to_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string out;
  // Printing a valid in-memory message cannot fail short of a protobuf bug.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

Status from_json(std::string_view body, google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const std::string text = body.find_first_not_of(" \t\r\n") == std::string_view::npos ? "{}" : std::string(body);
  const auto status = google::protobuf::util::JsonStringToMessage(text, &message, options);
  if (!status.ok()) return make_error("invalid JSON for " + message.GetDescriptor()->name() + ": " + std::string(status.message()));
  return ok_status();
}

}  // namespace atmo::api
