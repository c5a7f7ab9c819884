// Remote scene commands arrive on a topic anyone with publish rights on the broker can write to,
// so the broker's ACLs are not trusted alone. A command is a FleetSignedCommand: the FleetCommand
// bytes and an HMAC-SHA256 over exactly those bytes with a secret shared between the chain's
// operations and the venue (MqttSettings.command_keys, named by key id). atmo accepts it only if
// the signature matches, the command names this venue (a command for one venue cannot be replayed
// at another that shares the key), its time lies within ±window of ours (an old capture cannot be
// replayed later) and its id was not seen within that window (nor can it be replayed at once).
// Pure: the caller hands the time in; the controller applies what is accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"

namespace atmo::fleet {

struct CommandKey {
  std::string id;
  std::string secret;
};

/// The raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// The payload of a signed command as an operator's tool sends it (and the tests do): the command
/// encoded in `format`, signed with `key`, wrapped in a FleetSignedCommand in the same format.
std::string sign_command(const v1::FleetCommand& command, const CommandKey& key, v1::PayloadFormat format);

struct CommandVerdict {
  bool accepted = false;
  std::string reason;        ///< why it was refused, for the result message and the audit
  v1::FleetCommand command;  ///< as far as it could be read
  std::string key_id;        ///< the key it claims
  bool signature_ok = false;  ///< false: key_id and command are the sender's unverified claims
};

class CommandVerifier {
 public:
  /// At most this many command ids are remembered; more within one window are refused.
  static constexpr std::size_t kMaxRemembered = 10'000;

  CommandVerifier(std::string venue_id, std::vector<CommandKey> keys, std::chrono::milliseconds window,
                  v1::PayloadFormat format);

  /// Checks a payload received on the command topic at `now`. An accepted command's id is
  /// remembered, so the same payload is refused the second time.
  CommandVerdict verify(std::string_view payload, TimeMs now);

 private:
  std::string venue_id_;
  std::vector<CommandKey> keys_;
  TimeMs window_ms_;
  v1::PayloadFormat format_;
  std::map<std::string, TimeMs> seen_;  ///< command id -> its time_ms, until it leaves the window
};

}  // namespace atmo::fleet
