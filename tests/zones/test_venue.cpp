#include "test_venue.hpp"

namespace atmo::zones::test {
namespace {

v1::PointMap* add_point(v1::DeviceProfile& p, const char* name, v1::Quantity q, v1::RegisterTable table,
                        unsigned address, bool writable, double min = 0, double max = 0) {
  auto* m = p.add_points();
  m->set_name(name);
  m->set_quantity(q);
  m->set_table(table);
  m->set_address(address);
  m->set_writable(writable);
  if (min < max) {
    m->mutable_range()->set_min(min);
    m->mutable_range()->set_max(max);
  }
  return m;
}

void add_device(v1::Venue& v, const char* zone, const char* id, const char* profile, unsigned unit) {
  auto* d = v.add_devices();
  d->set_id(id);
  d->set_zone(zone);
  d->set_profile(profile);
  d->set_bus("b1");
  d->set_unit(unit);
}

void add_step(v1::DayProgram& p, const char* at, const char* scene) {
  auto* s = p.add_steps();
  s->set_at(at);
  s->set_venue_scene(scene);
}

}  // namespace

v1::Venue make_test_venue_config() {
  v1::Venue v;
  v.set_id("test-spa");
  (*v.mutable_name())["en"] = "Test Spa";
  v.set_time_zone("Europe/Berlin");
  auto* bus = v.add_buses();
  bus->set_id("b1");
  bus->mutable_tcp()->set_host("127.0.0.1");

  auto* light = v.add_profiles();
  light->set_id("light");
  add_point(*light, "level", v1::QUANTITY_LIGHT_LEVEL, v1::REGISTER_TABLE_HOLDING, 0, true, 0, 100);
  add_point(*light, "cct", v1::QUANTITY_LIGHT_CCT, v1::REGISTER_TABLE_HOLDING, 1, true, 2000, 6500);
  add_point(*light, "red", v1::QUANTITY_LIGHT_RED, v1::REGISTER_TABLE_HOLDING, 2, true, 0, 100);
  add_point(*light, "white", v1::QUANTITY_LIGHT_WHITE, v1::REGISTER_TABLE_HOLDING, 3, true, 0, 100);
  auto* scent = v.add_profiles();
  scent->set_id("scent");
  add_point(*scent, "enable", v1::QUANTITY_SCENT_ENABLE, v1::REGISTER_TABLE_COIL, 0, true);
  add_point(*scent, "intensity", v1::QUANTITY_SCENT_INTENSITY, v1::REGISTER_TABLE_HOLDING, 0, true, 0, 100);
  add_point(*scent, "work", v1::QUANTITY_SCENT_WORK, v1::REGISTER_TABLE_HOLDING, 1, true, 0, 3600);
  add_point(*scent, "pause", v1::QUANTITY_SCENT_PAUSE, v1::REGISTER_TABLE_HOLDING, 2, true, 0, 3600);
  auto* climate = v.add_profiles();
  climate->set_id("climate");
  add_point(*climate, "setpoint", v1::QUANTITY_TEMPERATURE_SETPOINT, v1::REGISTER_TABLE_HOLDING, 0, true, 5, 60);
  add_point(*climate, "floor", v1::QUANTITY_FLOOR_SETPOINT, v1::REGISTER_TABLE_HOLDING, 1, true, 5, 40);
  add_point(*climate, "fan", v1::QUANTITY_OTHER, v1::REGISTER_TABLE_HOLDING, 2, true, 0, 3);
  auto* air = v.add_profiles();
  air->set_id("air");
  add_point(*air, "temperature", v1::QUANTITY_AIR_TEMPERATURE, v1::REGISTER_TABLE_INPUT, 0, false, -40, 125)
      ->set_unit("°C");
  add_point(*air, "humidity", v1::QUANTITY_HUMIDITY, v1::REGISTER_TABLE_INPUT, 1, false, 0, 100)->set_unit("%");
  auto* fire = v.add_profiles();
  fire->set_id("fire");
  add_point(*fire, "alarm", v1::QUANTITY_FIRE_ALARM, v1::REGISTER_TABLE_DISCRETE, 0, false);

  for (const char* zone : {"lounge", "hammam"}) {
    auto* z = v.add_zones();
    z->set_id(zone);
    (*z->mutable_name())["en"] = zone;
  }
  add_device(v, "lounge", "light", "light", 1);
  add_device(v, "lounge", "spot", "light", 2);
  add_device(v, "lounge", "scent", "scent", 3);
  add_device(v, "lounge", "climate", "climate", 4);
  add_device(v, "lounge", "air", "air", 5);
  add_device(v, "lounge", "fire", "fire", 6);
  add_device(v, "hammam", "light", "light", 7);
  add_device(v, "hammam", "scent", "scent", 8);
  v.mutable_devices(1)->add_disabled_points("red");  // lounge.spot.red is wired to nothing

  auto* lounge = v.mutable_zones(0);
  auto* day = lounge->add_scenes();
  day->set_id("day");
  day->mutable_light()->set_level(80);
  day->mutable_light()->set_cct(4000);
  day->mutable_scent()->set_enabled(true);
  day->mutable_scent()->set_intensity(40);
  day->mutable_scent()->set_work_s(30);
  day->mutable_scent()->set_pause_s(60);
  day->mutable_sound()->set_soundscape("rain");
  day->mutable_sound()->set_level_db(-20);
  day->mutable_climate()->set_setpoint(24);
  day->set_fade_ms(5000);
  auto* evening = lounge->add_scenes();
  evening->set_id("evening");
  evening->mutable_light()->set_level(20);
  evening->mutable_light()->set_cct(2700);
  evening->mutable_scent()->set_enabled(true);
  evening->mutable_scent()->set_work_s(60);
  evening->mutable_scent()->set_pause_s(30);
  evening->mutable_sound()->set_soundscape("sea");
  evening->mutable_sound()->set_level_db(-6);
  auto* pv = evening->add_points();
  pv->set_point("climate.fan");
  pv->set_value(1);
  auto* pv2 = evening->add_points();
  pv2->set_point("spot.level");
  pv2->set_value(5);
  auto* closed = lounge->add_scenes();
  closed->set_id("closed");
  closed->mutable_light()->set_level(0);
  closed->mutable_scent()->set_enabled(false);
  closed->mutable_sound();  // silence
  auto* opening = lounge->add_scenes();
  opening->set_id("opening");
  opening->mutable_light()->set_level(100);

  auto* hammam = v.mutable_zones(1);
  auto* hday = hammam->add_scenes();
  hday->set_id("day");
  hday->mutable_light()->set_level(30);
  hday->mutable_scent()->set_enabled(true);
  hday->mutable_scent()->set_work_s(30);  // no pause: the duty limit writes one
  hday->mutable_sound()->set_soundscape("bowls");
  hday->mutable_sound()->set_level_db(-15);
  hammam->mutable_safety()->set_audio_cap_db(-18);
  hammam->mutable_safety()->set_scent_max_duty(25);

  for (const char* id : {"opening", "day", "evening", "closed"}) {
    auto* vs = v.add_venue_scenes();
    vs->set_id(id);
    vs->set_same_name_in_every_zone(true);
  }

  auto* weekday = v.add_programs();
  weekday->set_id("weekday");
  add_step(*weekday, "07:00", "opening");
  add_step(*weekday, "09:00", "day");
  add_step(*weekday, "18:00", "evening");
  add_step(*weekday, "22:00", "closed");
  auto* weekend = v.add_programs();
  weekend->set_id("weekend");
  add_step(*weekend, "10:00", "day");
  add_step(*weekend, "20:00", "closed");
  auto* holiday = v.add_programs();
  holiday->set_id("holiday");
  add_step(*holiday, "11:00", "day");
  add_step(*holiday, "16:00", "closed");
  auto* shut = v.add_programs();
  shut->set_id("closed-all-day");
  auto* night = v.add_programs();  // steps inside the DST change hours
  night->set_id("night");
  add_step(*night, "01:30", "opening");
  add_step(*night, "02:30", "day");
  add_step(*night, "03:30", "evening");
  add_step(*night, "23:00", "closed");

  auto* w1 = v.add_week();
  for (auto d : {v1::WEEKDAY_MON, v1::WEEKDAY_TUE, v1::WEEKDAY_WED, v1::WEEKDAY_THU, v1::WEEKDAY_FRI}) w1->add_days(d);
  w1->set_program("weekday");
  auto* w2 = v.add_week();
  w2->add_days(v1::WEEKDAY_SAT);
  w2->add_days(v1::WEEKDAY_SUN);
  w2->set_program("weekend");

  auto add_exception = [&](const char* date, const char* until, const char* program, const char* reason) {
    auto* e = v.add_exceptions();
    e->set_date(date);
    e->set_until(until);
    e->set_program(program);
    e->set_reason(reason);
  };
  add_exception("2026-01-01", "", "holiday", "New Year");
  add_exception("2026-12-24", "2026-12-26", "holiday", "Christmas");
  add_exception("2026-12-25", "", "closed-all-day", "Christmas Day");
  add_exception("2026-03-29", "", "night", "DST spring test");
  add_exception("2026-10-25", "", "night", "DST autumn test");

  v.mutable_safety()->set_fire_alarm_point("lounge.fire.alarm");
  auto* window = v.mutable_safety()->add_scent_free();
  window->add_zones("lounge");
  window->set_from("22:00");
  window->set_to("06:00");
  window->add_days(v1::WEEKDAY_FRI);
  window->set_reason("allergy-friendly night");

  auto* standard = lounge->mutable_standard();
  auto* temp = standard->add_criteria();
  temp->set_id("air-temp");
  temp->set_sense(v1::SENSE_TOUCH);
  temp->set_point("air.temperature");
  temp->mutable_range()->set_min(23);
  temp->mutable_range()->set_max(25);
  temp->set_tolerance_s(300);
  temp->set_hysteresis(0.5);
  auto* hum = standard->add_criteria();
  hum->set_id("humidity");
  hum->set_sense(v1::SENSE_TOUCH);
  hum->set_point("air.humidity");
  hum->mutable_range()->set_min(40);
  hum->mutable_range()->set_max(60);
  hum->set_tolerance_s(60);
  hum->add_applies_in("day");
  auto* tea = standard->add_checklist();
  tea->set_id("tea");
  tea->set_sense(v1::SENSE_TASTE);
  tea->set_every_minutes(60);
  tea->add_applies_in("day");
  tea->add_applies_in("evening");
  auto* towels = standard->add_checklist();
  towels->set_id("towels");
  towels->set_sense(v1::SENSE_TOUCH);
  towels->add_applies_in("evening");
  return v;
}

std::shared_ptr<const Venue> make_test_venue() { return Venue::create(make_test_venue_config()); }

}  // namespace atmo::zones::test
