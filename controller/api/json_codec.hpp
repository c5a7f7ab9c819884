// JSON on the API is protobuf's JSON mapping (docs/api.md): one place that prints messages the
// same way everywhere (every field present, lowerCamelCase) and parses request bodies strictly,
// so a misspelt field is an error the caller sees instead of a silently ignored value.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "zones/result.hpp"

namespace atmo::api {

/// The message as one line of JSON.
std::string to_json(const google::protobuf::Message& message);

/// Parses `body` into `message`. An empty body is an empty object.
/// Errors: malformed JSON, an unknown field, a wrong type (protobuf's message, prefixed).
Status from_json(std::string_view body, google::protobuf::Message& message);

}  // namespace atmo::api
