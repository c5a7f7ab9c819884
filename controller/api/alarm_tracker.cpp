#include "controller/api/alarm_tracker.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

namespace atmo::api {
namespace json = boost::json;

namespace {
constexpr std::string_view kAckPrefix = "api.ack.";

std::string zone_name(const controller::Controller& c, const std::string& zone) {
  const auto* z = c.venue().zone(zone);
  return z ? zones::Venue::display_name(z->name(), "en", zone) : zone;
}
}  // namespace

AlarmTracker::AlarmTracker(controller::Controller& controller) : controller_(controller) {}

void AlarmTracker::load() {
  auto* store = controller_.store();
  if (!store) return;
  auto rows = store->reader().list_state(std::string(kAckPrefix));
  if (!rows) return;
  for (const auto& [key, value] : *rows) {
    json::error_code ec;
    const auto doc = json::parse(value, ec);
    if (ec || !doc.is_object()) continue;
    const auto& o = doc.as_object();
    Ack a;
    if (const auto* by = o.if_contains("by"); by && by->is_string()) a.by = std::string(by->as_string());
    if (const auto* at = o.if_contains("at"); at && at->is_int64()) a.at = at->as_int64();
    if (const auto* note = o.if_contains("note"); note && note->is_string()) a.note = std::string(note->as_string());
    acks_[key.substr(kAckPrefix.size())] = std::move(a);
  }
}

std::vector<v1::AlarmView> AlarmTracker::active() {
  auto& c = controller_;
  std::vector<v1::AlarmView> out;
  const TimeMs now = c.clock().now_ms();
  if (c.fire_alarm()) {
    if (!fire_since_) fire_since_ = now;
    v1::AlarmView a;
    a.set_kind("fire");
    a.set_id("fire:" + std::to_string(*fire_since_));
    a.set_since_ms(*fire_since_);
    a.set_subject(c.venue().config().safety().fire_alarm_point());
    a.set_message("Fire alarm: lights full, sound muted, diffusers off");
    out.push_back(std::move(a));
  } else {
    fire_since_.reset();
  }
  for (const auto& cs : c.compliance().criteria_out_of_standard()) {
    const TimeMs since = cs.outside_since.value_or(cs.last_good_ms);
    v1::AlarmView a;
    a.set_kind("criterion");
    a.set_id("criterion:" + cs.zone + "." + cs.id + ":" + std::to_string(since));
    a.set_zone(cs.zone);
    a.set_subject(cs.id);
    a.set_sense(cs.sense);
    a.set_since_ms(since);
    std::string what = cs.id;
    if (const auto* z = c.venue().zone(cs.zone)) {
      for (const auto& cfg : z->standard().criteria()) {
        if (cfg.id() == cs.id) what = zones::Venue::display_name(cfg.name(), "en", cs.id);
      }
    }
    a.set_message(zone_name(c, cs.zone) + ": " + what + " out of standard");
    out.push_back(std::move(a));
  }
  for (const auto& item : c.compliance().checklist_out_of_standard()) {
    const TimeMs since = item.due_at.value_or(0);
    v1::AlarmView a;
    a.set_kind("checklist");
    a.set_id("checklist:" + item.zone + "." + item.id + ":" + std::to_string(since));
    a.set_zone(item.zone);
    a.set_subject(item.id);
    a.set_sense(item.sense);
    a.set_since_ms(since);
    a.set_message(zone_name(c, item.zone) + ": checklist item '" + item.id + "' overdue");
    out.push_back(std::move(a));
  }
  for (const auto& h : c.devices().failing()) {
    v1::AlarmView a;
    a.set_kind("device");
    a.set_id("device:" + h.device_id + ":" + std::to_string(h.last_answer_ms));
    a.set_zone(h.device ? h.device->zone : "");
    a.set_subject(h.device_id);
    a.set_since_ms(h.last_error_ms);
    a.set_message("Device " + h.device_id + " offline: " + h.last_error);
    out.push_back(std::move(a));
  }
  // Readings wait in memory while the database cannot be written; staff must know before the queue
  // bound starts dropping them, and before the day's report has holes.
  auto* store = c.store();
  if (const auto health = store ? store->health() : telemetry::StoreHealth{};
      health.state == telemetry::StoreHealth::State::degraded) {
    if (!storage_since_) storage_since_ = now;
    v1::AlarmView a;
    a.set_kind("storage");
    a.set_id("storage:" + std::to_string(*storage_since_));
    a.set_subject(store->options().path);
    a.set_since_ms(*storage_since_);
    a.set_message("Readings cannot be stored (" + health.error + "); " + std::to_string(health.queued_readings) +
                  " wait in memory and are written when storage works again");
    out.push_back(std::move(a));
  } else {
    storage_since_.reset();
  }
  for (auto& a : out) {
    if (auto it = acks_.find(a.id()); it != acks_.end()) {
      a.set_acknowledged(true);
      a.set_acked_by(it->second.by);
      a.set_acked_ms(it->second.at);
      a.set_ack_note(it->second.note);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.since_ms() < y.since_ms(); });
  return out;
}

Result<v1::AlarmView> AlarmTracker::acknowledge(const std::string& id, const std::string& who, const std::string& note) {
  for (auto& a : active()) {
    if (a.id() != id) continue;
    Ack ack{who, controller_.clock().now_ms(), note};
    acks_[id] = ack;
    if (auto* store = controller_.store()) {
      store->put_state(std::string(kAckPrefix) + id,
                       json::serialize(json::object{{"by", ack.by}, {"at", ack.at}, {"note", ack.note}}));
    }
    a.set_acknowledged(true);
    a.set_acked_by(ack.by);
    a.set_acked_ms(ack.at);
    a.set_ack_note(ack.note);
    return a;
  }
  return make_error("no active alarm '" + id + "' (it may have ended)");
}

void AlarmTracker::prune(const std::vector<v1::AlarmView>& active) {
  std::set<std::string> live;
  for (const auto& a : active) live.insert(a.id());
  for (auto it = acks_.begin(); it != acks_.end();) {
    if (live.contains(it->first)) {
      ++it;
      continue;
    }
    if (auto* store = controller_.store()) store->erase_state(std::string(kAckPrefix) + it->first);
    it = acks_.erase(it);
  }
}

}  // namespace atmo::api
