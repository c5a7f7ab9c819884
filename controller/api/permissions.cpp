#include "controller/api/permissions.hpp"

#include <algorithm>

namespace atmo::api {

std::string_view to_string(Permission p) {
  switch (p) {
    case Permission::scene_zone: return "scene.zone";
    case Permission::scene_venue: return "scene.venue";
    case Permission::sound: return "sound";
    case Permission::alarm_ack: return "alarm.ack";
    case Permission::checklist: return "checklist";
    case Permission::point_write: return "point.write";
    case Permission::test_tone: return "audio.test";
    case Permission::users: return "users";
    case Permission::audit: return "audit";
    case Permission::schedule: return "schedule";
  }
  return "?";
}

std::string_view role_name(v1::Role role) {
  switch (role) {
    case v1::ROLE_RECEPTIONIST: return "receptionist";
    case v1::ROLE_THERAPIST: return "therapist";
    case v1::ROLE_MANAGER: return "manager";
    case v1::ROLE_TECHNICIAN: return "technician";
    case v1::ROLE_ADMIN: return "admin";
    default: return "no role";
  }
}

bool has_all_zones(const v1::User& user) {
  return std::find(user.zones().begin(), user.zones().end(), "*") != user.zones().end();
}

bool has_zone(const v1::User& user, std::string_view zone) {
  return has_all_zones(user) || std::find(user.zones().begin(), user.zones().end(), zone) != user.zones().end();
}

namespace {

enum class Grant { no, zones, yes };

Grant grant(v1::Role role, Permission p) {
  using P = Permission;
  switch (role) {
    case v1::ROLE_ADMIN: return Grant::yes;
    case v1::ROLE_MANAGER: return p == P::point_write || p == P::test_tone || p == P::users ? Grant::no : Grant::yes;
    case v1::ROLE_RECEPTIONIST:
      if (p == P::scene_zone || p == P::checklist) return Grant::zones;
      if (p == P::alarm_ack) return Grant::yes;
      if (p == P::scene_venue) return Grant::zones;  // with every zone only; checked below
      return Grant::no;
    case v1::ROLE_THERAPIST:
      if (p == P::scene_zone || p == P::sound || p == P::alarm_ack || p == P::checklist) return Grant::zones;
      return Grant::no;
    case v1::ROLE_TECHNICIAN:
      if (p == P::point_write || p == P::test_tone || p == P::alarm_ack) return Grant::yes;
      return Grant::no;
    default: return Grant::no;
  }
}

}  // namespace

Status allowed(const v1::User& user, Permission p, std::string_view zone) {
  const std::string who = std::string(role_name(user.role()));
  if (user.disabled()) return make_error("the account '" + user.username() + "' is disabled");
  switch (grant(user.role(), p)) {
    case Grant::yes: return ok_status();
    case Grant::no: return make_error("a " + who + " may not do " + std::string(to_string(p)));
    case Grant::zones:
      if (p == Permission::scene_venue) {
        if (has_all_zones(user)) return ok_status();
        return make_error("a venue scene changes every zone; " + user.username() + " is assigned only some zones");
      }
      if (zone.empty() ? has_all_zones(user) : has_zone(user, zone)) return ok_status();
      return make_error("a " + who + " may do " + std::string(to_string(p)) + " only in their own zones, not in '" +
                        std::string(zone) + "'");
  }
  return make_error("not allowed");
}

std::vector<std::string> permissions_of(const v1::User& user) {
  std::vector<std::string> out;
  for (auto p : {Permission::scene_zone, Permission::scene_venue, Permission::sound, Permission::alarm_ack,
                 Permission::checklist, Permission::point_write, Permission::test_tone, Permission::users,
                 Permission::audit, Permission::schedule}) {
    const Grant g = grant(user.role(), p);
    if (g == Grant::yes || (g == Grant::zones && (p != Permission::scene_venue || has_all_zones(user))) ) {
      if (g == Grant::zones && user.zones().empty()) continue;
      out.emplace_back(to_string(p));
    }
  }
  return out;
}

}  // namespace atmo::api
