// Who may do what: the role table of docs/api.md in one place, so the router, the session view and
// the tests all read the same rules. Zone-scoped permissions also check the user's zones ("*" = all).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/api.pb.h"
#include "zones/result.hpp"

namespace atmo::api {

enum class Permission {
  scene_zone,   ///< apply a zone scene (zone-scoped for receptionist and therapist)
  scene_venue,  ///< apply a venue scene (receptionist only with every zone)
  sound,        ///< set a zone's sound level (therapist: own zones, within the band)
  alarm_ack,    ///< acknowledge an alarm (therapist: own zones)
  checklist,    ///< confirm a checklist item (receptionist, therapist: own zones)
  point_write,  ///< write a device point (diagnostics)
  test_tone,    ///< play a test tone in a zone (diagnostics)
  users,        ///< manage users
  audit,        ///< read the audit log
  schedule,     ///< add and remove date exceptions (holidays, private events, closures)
};

std::string_view to_string(Permission p);
std::string_view role_name(v1::Role role);  ///< "receptionist", …

/// Whether `user` may do `p`, in `zone` when the permission is zone-scoped (empty zone: venue-wide).
/// Errors: a message naming the role and what it may not do.
Status allowed(const v1::User& user, Permission p, std::string_view zone = {});

/// Every permission the user's role has at least somewhere, for the Session view.
std::vector<std::string> permissions_of(const v1::User& user);

bool has_zone(const v1::User& user, std::string_view zone);
bool has_all_zones(const v1::User& user);

/// The band a therapist may move a scene's sound level within, in dB either side.
inline constexpr double kTherapistSoundBandDb = 6.0;

}  // namespace atmo::api
