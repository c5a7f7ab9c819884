#include "controller/fleet/mqtt_commands.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "controller/fleet/mqtt_payloads.hpp"
#include "controller/fleet/secret_source.hpp"

namespace atmo::fleet {

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string sign_command(const v1::FleetCommand& command, const CommandKey& key, v1::PayloadFormat format) {
  v1::FleetSignedCommand signed_command;
  signed_command.set_key_id(key.id);
  signed_command.set_command(encode_payload(command, format));
  signed_command.set_hmac_sha256(hmac_sha256(key.secret, signed_command.command()));
  return encode_payload(signed_command, format);
}

CommandVerifier::CommandVerifier(std::string venue_id, std::vector<CommandKey> keys, std::chrono::milliseconds window,
                                 v1::PayloadFormat format)
    : venue_id_(std::move(venue_id)), keys_(std::move(keys)), window_ms_(window.count()), format_(format) {}

CommandVerdict CommandVerifier::verify(std::string_view payload, TimeMs now) {
  CommandVerdict v;
  v1::FleetSignedCommand envelope;
  if (auto ok = decode_payload(payload, format_, envelope); !ok) {
    v.reason = "unreadable command: " + ok.error().message;
    return v;
  }
  v.key_id = envelope.key_id();
  const CommandKey* key = nullptr;
  for (const auto& k : keys_) {
    if (k.id == envelope.key_id()) key = &k;
  }
  if (!key) {
    v.reason = envelope.key_id().empty() ? "the command is not signed (no key_id)" : "unknown key '" + envelope.key_id() + "'";
    return v;
  }
  // The signature before anything in the command is believed: an unsigned command's content,
  // its id included, must not touch the replay memory.
  if (!same_secret(hmac_sha256(key->secret, envelope.command()), envelope.hmac_sha256())) {
    v.reason = "bad signature for key '" + key->id + "'";
    // Read only so the answer can name the command id the sender will look for; unverified.
    v1::FleetCommand claimed;
    if (decode_payload(envelope.command(), format_, claimed).ok()) v.command = std::move(claimed);
    return v;
  }
  v.signature_ok = true;
  if (auto ok = decode_payload(envelope.command(), format_, v.command); !ok) {
    v.reason = "unreadable signed command: " + ok.error().message;
    return v;
  }
  const auto& c = v.command;
  if (c.venue() != venue_id_) {
    v.reason = "the command is for venue '" + c.venue() + "', this is '" + venue_id_ + "'";
    return v;
  }
  // Compared without subtracting: a time_ms near INT64_MIN must not overflow.
  if (c.time_ms() < now - window_ms_ || c.time_ms() > now + window_ms_) {
    const auto off_s = static_cast<long long>((static_cast<double>(c.time_ms()) - static_cast<double>(now)) / 1000.0);
    v.reason = "the command's time is " + std::to_string(off_s) +
               " s from ours, outside the window of ±" + std::to_string(window_ms_ / 1000) + " s (replayed, or a clock is wrong)";
    return v;
  }
  if (c.id().empty()) {
    v.reason = "the command has no id";
    return v;
  }
  // Forget ids whose time has left the window: a replay of them now fails the time check.
  std::erase_if(seen_, [&](const auto& entry) { return entry.second < now - window_ms_ || entry.second > now + window_ms_; });
  if (seen_.contains(c.id())) {
    v.reason = "command '" + c.id() + "' was already received (a replay)";
    return v;
  }
  if (seen_.size() >= kMaxRemembered) {
    v.reason = "too many commands within the replay window; try again later";
    return v;
  }
  seen_.emplace(c.id(), c.time_ms());
  v.accepted = true;
  return v;
}

}  // namespace atmo::fleet
