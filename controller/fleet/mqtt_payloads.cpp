#include "controller/fleet/mqtt_payloads.hpp"

#include <google/protobuf/util/json_util.h>

namespace atmo::fleet {

std::string FleetTopics::reading(const zones::Point& point) const {
  return prefix_ + "/readings/" + point.zone + "/" + point.device->config->id() + "/" + point.map->name();
}

std::string default_topic_prefix(std::string_view venue_id) { return "atmo/" + std::string(venue_id); }

std::string encode_payload(const google::protobuf::Message& message, v1::PayloadFormat format) {
  if (format == v1::PAYLOAD_FORMAT_JSON) {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;  // "online": false is news, not an absent field
    options.preserve_proto_field_names = false;    // lowerCamelCase, as on the HTTP API
    std::string out;
    (void)google::protobuf::util::MessageToJsonString(message, &out, options);
    return out;
  }
  return message.SerializeAsString();
}

Status decode_payload(std::string_view payload, v1::PayloadFormat format, google::protobuf::Message& message) {
  if (format == v1::PAYLOAD_FORMAT_JSON) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = google::protobuf::util::JsonStringToMessage(std::string(payload), &message, options);
    if (!status.ok()) {
      return make_error("not a JSON " + message.GetDescriptor()->name() + ": " + std::string(status.message()));
    }
    return ok_status();
  }
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return make_error("not a binary protobuf " + message.GetDescriptor()->name());
  }
  return ok_status();
}

v1::SenseCompliance sense_compliance(zones::ComplianceState state) {
  using S = zones::ComplianceState;
  switch (state) {
    case S::ok: return v1::SENSE_COMPLIANCE_OK;
    case S::drifting: return v1::SENSE_COMPLIANCE_DRIFTING;
    case S::no_data: return v1::SENSE_COMPLIANCE_NO_DATA;
    case S::out_of_standard: return v1::SENSE_COMPLIANCE_OUT_OF_STANDARD;
    case S::not_applicable: return v1::SENSE_COMPLIANCE_NOT_APPLICABLE;
  }
  return v1::SENSE_COMPLIANCE_UNSPECIFIED;
}

v1::FleetReading reading_message(const zones::Point& point, const controller::LiveReading& reading) {
  v1::FleetReading m;
  m.set_point(point.id);
  m.set_time_ms(reading.time_ms);
  m.set_value(reading.value);
  m.set_quality(reading.quality);
  m.set_unit(point.map->unit());
  return m;
}

v1::FleetZoneState zone_state_message(controller::Controller& controller, std::string_view zone) {
  v1::FleetZoneState m;
  m.set_zone(std::string(zone));
  m.set_fire_alarm(controller.fire_alarm());
  if (const auto* st = controller.scenes().zone_state(zone)) {
    m.set_scene(st->scene);
    m.set_cause_who(st->cause.who);
    m.set_cause_why(st->cause.why);
    m.set_since_ms(st->since);
  }
  for (int s = v1::SENSE_SIGHT; s <= v1::SENSE_TASTE; ++s) {
    auto* sense = m.add_senses();
    sense->set_sense(static_cast<v1::Sense>(s));
    sense->set_state(sense_compliance(controller.compliance().sense_state(zone, static_cast<v1::Sense>(s))));
  }
  return m;
}

v1::FleetAlarmList alarm_list_message(const std::vector<v1::AlarmView>& alarms) {
  v1::FleetAlarmList m;
  for (const auto& a : alarms) {
    auto* out = m.add_alarms();
    out->set_id(a.id());
    out->set_kind(a.kind());
    out->set_zone(a.zone());
    out->set_subject(a.subject());
    out->set_sense(a.sense());
    out->set_since_ms(a.since_ms());
    out->set_message(a.message());
  }
  return m;
}

v1::FleetEvent event_message(const controller::Event& event) {
  v1::FleetEvent m;
  m.set_id(event.id);
  m.set_time_ms(event.time_ms);
  m.set_kind(event.kind);
  m.set_zone(event.zone);
  m.set_subject(event.subject);
  m.set_who(event.who);
  m.set_message(event.message);
  m.set_details_json(event.details_json);
  return m;
}

}  // namespace atmo::fleet
