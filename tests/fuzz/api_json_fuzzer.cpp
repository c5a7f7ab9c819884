// libFuzzer target: the bytes of an API request body, parsed the way the API router parses every
// body (controller/api/json_codec: protobuf's JSON mapping, strict about unknown fields) into a
// message of config/api.proto. Input: the message's name on the first line ("LoginRequest"; any
// other text picks one by its bytes), the body after it. Properties: no crash, no sanitizer
// report; whatever parses prints back as JSON that parses again into the very same message (what
// the audit log and the WebSocket send is always readable).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <google/protobuf/message.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "config/api.pb.h"
#include "controller/api/json_codec.hpp"

namespace {

const google::protobuf::Message& message_named(std::string_view name) {
  static const auto* file = atmo::v1::LoginRequest::descriptor()->file();
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  if (const auto* d = file->FindMessageTypeByName(std::string(name))) return *factory->GetPrototype(d);
  std::size_t pick = name.size();
  for (unsigned char c : name) pick = pick * 31 + c;
  return *factory->GetPrototype(file->message_type(static_cast<int>(pick % static_cast<std::size_t>(file->message_type_count()))));
}

/// Field by field, an unset field equal to its default. Not the wire bytes: {"levelDb":-.0} parses
/// to -0.0, which protobuf puts on the wire unlike 0.0, and what the API prints for it reads back
/// as 0.0: the same level to the API (the fuzzer's first finding). NaN is NaN again.
bool same_meaning(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  google::protobuf::util::DefaultFieldComparator numbers;
  numbers.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&numbers);
  differencer.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
  return differencer.Compare(a, b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const auto& prototype = message_named(input.substr(0, newline));
  const std::string_view body = input.substr(newline + 1);

  std::unique_ptr<google::protobuf::Message> parsed(prototype.New());
  auto status = atmo::api::from_json(body, *parsed);
  if (!status) {
    if (status.error().message.empty()) std::abort();  // the caller gets a reason in its 400
    return 0;
  }
  const std::string printed = atmo::api::to_json(*parsed);
  boost::system::error_code ec;
  (void)boost::json::parse(printed, ec);
  if (ec) std::abort();  // the API printed something that is not JSON
  std::unique_ptr<google::protobuf::Message> again(prototype.New());
  if (!atmo::api::from_json(printed, *again)) std::abort();  // our own output is refused
  if (!same_meaning(*parsed, *again)) std::abort();          // and means something else
  return 0;
}
