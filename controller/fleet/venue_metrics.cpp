#include "controller/fleet/venue_metrics.hpp"

#include <boost/json.hpp>

namespace atmo::fleet {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string quality_name(v1::Quality q) {
  switch (q) {
    case v1::QUALITY_GOOD: return "good";
    case v1::QUALITY_STALE: return "stale";
    case v1::QUALITY_BAD: return "bad";
    case v1::QUALITY_OFFLINE: return "offline";
    default: return "unknown";
  }
}

double seconds(TimeMs ms) { return static_cast<double>(ms) / 1000.0; }

/// "lounge.air" -> ("lounge", "air"): devices are labelled like points, zone and local id apart.
std::pair<std::string, std::string> split_device(const modbus::DeviceHealth& h) {
  if (h.device && h.device->config) return {h.device->zone, h.device->config->id()};
  const auto dot = h.device_id.find('.');
  if (dot == std::string::npos) return {"", h.device_id};
  return {h.device_id.substr(0, dot), h.device_id.substr(dot + 1)};
}

void readings(controller::Controller& c, std::vector<MetricFamily>& out) {
  MetricFamily value{"atmo_reading", "Latest value of a point in its unit (good or stale readings only)", MetricType::gauge, {}};
  MetricFamily when{"atmo_reading_timestamp_seconds", "When the latest reading of a point was taken (Unix time)",
                    MetricType::gauge, {}};
  MetricFamily quality{"atmo_reading_quality", "Quality of the latest reading of a point: 1 for the current one",
                       MetricType::gauge, {}};
  static constexpr v1::Quality kQualities[] = {v1::QUALITY_GOOD, v1::QUALITY_STALE, v1::QUALITY_BAD, v1::QUALITY_OFFLINE};
  for (const auto& p : c.venue().points()) {
    if (p.disabled) continue;
    auto it = c.live().find(p.id);
    if (it == c.live().end()) continue;
    const auto& r = it->second;
    const Labels point{{"zone", p.zone}, {"device", p.device->config->id()}, {"point", p.map->name()}};
    if (r.quality == v1::QUALITY_GOOD || r.quality == v1::QUALITY_STALE) {
      Labels with_unit = point;
      with_unit.emplace_back("unit", p.map->unit());
      value.add(std::move(with_unit), r.value);
    }
    when.add(point, seconds(r.time_ms));
    for (auto q : kQualities) {
      Labels l = point;
      l.emplace_back("quality", quality_name(q));
      quality.add(std::move(l), r.quality == q ? 1 : 0);
    }
  }
  out.push_back(std::move(value));
  out.push_back(std::move(when));
  out.push_back(std::move(quality));
}

void zones_and_compliance(controller::Controller& c, std::vector<MetricFamily>& out) {
  using S = zones::ComplianceState;
  static constexpr S kStates[] = {S::ok, S::drifting, S::no_data, S::out_of_standard, S::not_applicable};
  MetricFamily compliance{"atmo_zone_compliance",
                          "Compliance of a zone with its sensory standard per sense: 1 for the current state",
                          MetricType::gauge, {}};
  MetricFamily scene{"atmo_zone_scene_info", "The scene a zone runs (value always 1)", MetricType::gauge, {}};
  for (const auto& z : c.venue().zones()) {
    for (int s = v1::SENSE_SIGHT; s <= v1::SENSE_TASTE; ++s) {
      const auto sense = static_cast<v1::Sense>(s);
      const auto state = c.compliance().sense_state(z.id(), sense);
      for (auto candidate : kStates) {
        compliance.add({{"zone", z.id()}, {"sense", std::string(zones::to_string(sense))}, {"state", std::string(zones::to_string(candidate))}},
                       state == candidate ? 1 : 0);
      }
    }
    if (const auto* st = c.scenes().zone_state(z.id())) scene.add({{"zone", z.id()}, {"scene", st->scene}}, 1);
  }
  out.push_back(std::move(compliance));
  out.push_back(std::move(scene));
}

void alarms(const VenueMetricsInputs& in, std::vector<MetricFamily>& out) {
  MetricFamily active{"atmo_alarms_active", "Alarms active now, by kind", MetricType::gauge, {}};
  std::map<std::string, int> by_kind{{"criterion", 0}, {"checklist", 0}, {"fire", 0}, {"device", 0}};
  for (const auto& a : in.alarms) ++by_kind[a.kind()];
  for (const auto& [kind, n] : by_kind) active.add({{"kind", kind}}, n);
  out.push_back(std::move(active));
  MetricFamily raised{"atmo_alarms_raised_total", "Compliance alarms raised since the daemon started, by zone and sense",
                      MetricType::counter, {}};
  MetricFamily events{"atmo_events_total", "Events on the controller's event bus since start, by kind", MetricType::counter, {}};
  if (in.events) {
    for (const auto& [key, n] : in.events->alarms_raised) {
      raised.add({{"zone", key.first}, {"sense", key.second}}, static_cast<double>(n));
    }
    for (const auto& [kind, n] : in.events->by_kind) events.add({{"kind", kind}}, static_cast<double>(n));
  }
  out.push_back(std::move(raised));
  out.push_back(std::move(events));
}

void modbus(controller::Controller& c, std::vector<MetricFamily>& out) {
  MetricFamily up{"atmo_device_up", "Whether a device answers (1) or is offline (0)", MetricType::gauge, {}};
  MetricFamily requests{"atmo_modbus_requests_total", "Modbus transactions attempted with a device (reads and writes)",
                        MetricType::counter, {}};
  MetricFamily errors{"atmo_modbus_errors_total", "Failed Modbus transactions with a device (timeouts included)",
                      MetricType::counter, {}};
  MetricFamily timeouts{"atmo_modbus_timeouts_total", "Modbus transactions a device did not answer in time",
                        MetricType::counter, {}};
  MetricFamily latency{"atmo_modbus_request_latency_seconds",
                       "Modbus transaction latency over a device's last 256 successful transactions, by quantile",
                       MetricType::gauge, {}};
  for (const auto& h : c.devices().health()) {
    const auto [zone, device] = split_device(h);
    const Labels l{{"zone", zone}, {"device", device}, {"bus", h.bus_id}};
    up.add(l, h.online ? 1 : 0);
    requests.add(l, static_cast<double>(h.requests));
    errors.add(l, static_cast<double>(h.errors));
    timeouts.add(l, static_cast<double>(h.timeouts));
    if (h.ever_answered) {
      Labels p50 = l, p99 = l;
      p50.emplace_back("quantile", "0.5");
      p99.emplace_back("quantile", "0.99");
      latency.add(std::move(p50), h.latency_p50_ms / 1000.0);
      latency.add(std::move(p99), h.latency_p99_ms / 1000.0);
    }
  }
  out.push_back(std::move(up));
  out.push_back(std::move(requests));
  out.push_back(std::move(errors));
  out.push_back(std::move(timeouts));
  out.push_back(std::move(latency));

  MetricFamily connected{"atmo_modbus_bus_connected", "Whether a bus's link (TCP connection or serial port) is open",
                         MetricType::gauge, {}};
  MetricFamily connects{"atmo_modbus_bus_connects_total", "Successful connects of a bus", MetricType::counter, {}};
  MetricFamily connect_failures{"atmo_modbus_bus_connect_failures_total", "Failed connect attempts of a bus",
                                MetricType::counter, {}};
  MetricFamily skipped{"atmo_modbus_bus_skipped_polls_total",
                       "Polls skipped because the previous one was still running (the bus is overloaded)",
                       MetricType::counter, {}};
  for (const auto& b : c.devices().bus_stats()) {
    const Labels l{{"bus", b.bus_id}};
    connected.add(l, b.connected ? 1 : 0);
    connects.add(l, static_cast<double>(b.connects));
    connect_failures.add(l, static_cast<double>(b.connect_failures));
    skipped.add(l, static_cast<double>(b.skipped_polls));
  }
  out.push_back(std::move(connected));
  out.push_back(std::move(connects));
  out.push_back(std::move(connect_failures));
  out.push_back(std::move(skipped));
}

void audio(const VenueMetricsInputs& in, std::vector<MetricFamily>& out) {
  if (!in.audio) return;
  const auto& a = *in.audio;
  out.push_back(MetricFamily{"atmo_audio_playing", "Whether the audio output runs (1) or has no device / is stopped (0)",
                             MetricType::gauge, {}}
                    .add({}, a.state == audio::EngineState::Playing ? 1 : 0));
  out.push_back(MetricFamily{"atmo_audio_callbacks_total", "Audio callbacks since start", MetricType::counter, {}}
                    .add({}, static_cast<double>(a.callbacks)));
  out.push_back(MetricFamily{"atmo_audio_output_underflows_total", "Callbacks the audio device flagged as output underflow",
                             MetricType::counter, {}}
                    .add({}, static_cast<double>(a.output_underflows)));
  out.push_back(MetricFamily{"atmo_audio_ring_underruns_total",
                             "Callbacks that found too few mixed samples and played silence for the rest",
                             MetricType::counter, {}}
                    .add({}, static_cast<double>(a.ring_underruns)));
  out.push_back(MetricFamily{"atmo_audio_callback_load_ratio",
                             "Share of the audio callback's time budget it uses (PortAudio's CPU load, 0..1)",
                             MetricType::gauge, {}}
                    .add({}, a.cpu_load));
}

void api_requests(const VenueMetricsInputs& in, std::vector<MetricFamily>& out) {
  MetricFamily f{"atmo_api_requests_total", "HTTP API requests answered since start, by method and status code",
                 MetricType::counter, {}};
  if (in.api_requests) {
    for (const auto& [key, n] : *in.api_requests) {
      f.add({{"method", key.first}, {"code", std::to_string(key.second)}}, static_cast<double>(n));
    }
  }
  out.push_back(std::move(f));
}

void mqtt(const VenueMetricsInputs& in, std::vector<MetricFamily>& out) {
  if (!in.mqtt) return;
  const auto& m = *in.mqtt;
  out.push_back(MetricFamily{"atmo_mqtt_connected", "Whether the MQTT broker link is up", MetricType::gauge, {}}
                    .add({}, m.client.connected ? 1 : 0));
  out.push_back(MetricFamily{"atmo_mqtt_connects_total", "Successful connects to the MQTT broker", MetricType::counter, {}}
                    .add({}, static_cast<double>(m.client.connects)));
  out.push_back(MetricFamily{"atmo_mqtt_messages_queued_total", "Messages handed to the MQTT publisher's buffer",
                             MetricType::counter, {}}
                    .add({}, static_cast<double>(m.queued)));
  out.push_back(MetricFamily{"atmo_mqtt_messages_acknowledged_total", "Messages the MQTT broker acknowledged (QoS 1)",
                             MetricType::counter, {}}
                    .add({}, static_cast<double>(m.client.acknowledged)));
  out.push_back(MetricFamily{"atmo_mqtt_messages_dropped_total",
                             "Messages dropped because the buffer bound was exceeded while the broker was away",
                             MetricType::counter, {}}
                    .add({}, static_cast<double>(m.client.dropped)));
  out.push_back(MetricFamily{"atmo_mqtt_buffered_messages", "Messages waiting for the broker or its acknowledgement",
                             MetricType::gauge, {}}
                    .add({}, static_cast<double>(m.client.buffered_messages)));
  out.push_back(MetricFamily{"atmo_mqtt_buffered_bytes", "Bytes (topic and payload) waiting for the broker", MetricType::gauge, {}}
                    .add({}, static_cast<double>(m.client.buffered_bytes)));
  out.push_back(MetricFamily{"atmo_mqtt_commands_total", "Remote scene commands received, by result", MetricType::counter, {}}
                    .add({{"result", "accepted"}}, static_cast<double>(m.commands_accepted))
                    .add({{"result", "refused"}}, static_cast<double>(m.commands_refused)));
}

}  // namespace

void EventCounts::count(const controller::Event& event) {
  ++by_kind[event.kind];
  if (event.kind != "alarm.raised") return;
  std::string sense;
  boost::system::error_code ec;
  const auto details = boost::json::parse(event.details_json, ec);
  if (!ec && details.is_object()) {
    if (const auto* s = details.as_object().if_contains("sense"); s && s->is_string()) sense = std::string(s->as_string());
  }
  ++alarms_raised[{event.zone, sense}];
}

std::vector<MetricFamily> collect_venue_metrics(const VenueMetricsInputs& in) {
  auto& c = *in.controller;
  std::vector<MetricFamily> out;
  out.push_back(MetricFamily{"atmo_venue_info", "The venue this daemon runs and atmo's version (value always 1)",
                             MetricType::gauge, {}}
                    .add({{"venue", c.venue().id()}, {"version", ATMO_VERSION}}, 1));
  out.push_back(MetricFamily{"atmo_fire_alarm", "Whether the fire alarm input is active", MetricType::gauge, {}}
                    .add({}, c.fire_alarm() ? 1 : 0));
  readings(c, out);
  zones_and_compliance(c, out);
  alarms(in, out);
  modbus(c, out);
  audio(in, out);
  api_requests(in, out);
  mqtt(in, out);
  return out;
}

}  // namespace atmo::fleet
