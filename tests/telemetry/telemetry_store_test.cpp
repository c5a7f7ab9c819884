#include "controller/telemetry/telemetry_store.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "controller/telemetry/telemetry_schema.hpp"
#include "tests/telemetry/temp_dir.hpp"

using namespace atmo;
using namespace atmo::telemetry;
using atmo::telemetry::test::eventually;
using atmo::telemetry::test::TempDir;

namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kDay = 86'400'000;
// 2026-01-01T00:00:00Z: a realistic epoch so retention cutoffs are ordinary numbers.
constexpr TimeMs kT0 = 1'767'225'600'000;

StoreOptions options_for(const TempDir& dir) {
  StoreOptions o;
  o.path = dir.file("telemetry.db");
  o.max_batch_age = std::chrono::milliseconds(20);
  o.retention_interval = std::chrono::hours(24);  // tests run passes explicitly
  return o;
}

std::unique_ptr<TelemetryStore> open_store(const StoreOptions& options, const Clock& clock) {
  auto store = TelemetryStore::open(options, clock);
  if (!store) FAIL("cannot open store: " << store.error().message);
  return std::move(store).value();
}

Reading good(const std::string& point, TimeMs t, double v) {
  return {point, t, v, v1::QUALITY_GOOD};
}

std::int64_t count_rows(const std::string& path, const std::string& sql) {
  auto db = Connection::open(path, Connection::Mode::read_only);
  REQUIRE(db.ok());
  auto n = db.value().query_int(sql);
  if (!n) FAIL(n.error().message);
  return *n;
}

std::string integrity_of(const std::string& path) {
  auto db = Connection::open(path, Connection::Mode::read_only);
  REQUIRE(db.ok());
  auto check = db.value().prepare("PRAGMA integrity_check");
  REQUIRE(check.ok());
  REQUIRE(check.value().step() == SQLITE_ROW);
  return check.value().column_text(0);
}

std::vector<Reading> raw_of(TelemetryReader& reader, const std::string& point,
                            TimeMs from = INT64_MIN, TimeMs to = INT64_MAX) {
  std::vector<Reading> out;
  auto n = reader.raw(point, from, to, [&](const Reading& r) {
    out.push_back(r);
    return true;
  });
  if (!n) FAIL(n.error().message);
  return out;
}

}  // namespace

TEST_CASE("A fresh database gets the current schema and WAL", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->stop();
  CHECK(count_rows(dir.file("telemetry.db"), "PRAGMA user_version") == kSchemaVersion);
  CHECK(count_rows(dir.file("telemetry.db"), "PRAGMA application_id") == kApplicationId);
  auto db = Connection::open(dir.file("telemetry.db"), Connection::Mode::read_only);
  REQUIRE(db.ok());
  auto mode = db.value().prepare("PRAGMA journal_mode");
  REQUIRE(mode.ok());
  REQUIRE(mode.value().step() == SQLITE_ROW);
  CHECK(mode.value().column_text(0) == "wal");
}

TEST_CASE("A database from a newer atmo is refused with a clear message", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  open_store(options_for(dir), clock)->stop();
  {
    auto db = Connection::open(dir.file("telemetry.db"), Connection::Mode::read_write);
    REQUIRE(db.ok());
    REQUIRE(db.value().exec("PRAGMA user_version = 99").ok());
  }
  auto again = TelemetryStore::open(options_for(dir), clock);
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.error().message, Catch::Contains("newer than this atmo"));
}

TEST_CASE("Another application's SQLite file is not touched", "[telemetry]") {
  TempDir dir;
  {
    auto db = Connection::open(dir.file("telemetry.db"), Connection::Mode::read_write);
    REQUIRE(db.ok());
    REQUIRE(db.value().exec("PRAGMA application_id = 42; CREATE TABLE t(x)").ok());
  }
  ManualClock clock(kT0);
  auto store = TelemetryStore::open(options_for(dir), clock);
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.error().message, Catch::Contains("not an atmo database"));
}

TEST_CASE("Readings are committed with their quality and come back in order", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->append({good("lounge.air.temperature", kT0, 21.5),
                 {"lounge.air.temperature", kT0 + 1000, 99.0, v1::QUALITY_BAD},
                 {"lounge.air.temperature", kT0 + 2000, 21.5, v1::QUALITY_STALE},
                 {"lounge.air.temperature", kT0 + 3000, 0.0, v1::QUALITY_OFFLINE},
                 good("lounge.light.level", kT0, 40.0)});
  REQUIRE(store->flush());

  auto rows = raw_of(store->reader(), "lounge.air.temperature");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].quality == v1::QUALITY_GOOD);
  CHECK(rows[1].quality == v1::QUALITY_BAD);
  CHECK(rows[1].value == 99.0);
  CHECK(rows[2].quality == v1::QUALITY_STALE);
  CHECK(rows[3].quality == v1::QUALITY_OFFLINE);
  CHECK(rows[3].time_ms == kT0 + 3000);

  const auto h = store->health();
  CHECK(h.state == StoreHealth::State::ok);
  CHECK(h.committed_readings == 5);
  CHECK(h.queued_readings == 0);
  CHECK(h.last_commit_ms == kT0);
  // Points are stored once, by a small integer id.
  CHECK(count_rows(dir.file("telemetry.db"), "SELECT count(*) FROM points") == 2);
}

TEST_CASE("raw() streams a range and stops when the callback says so", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  std::vector<Reading> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(good("p", kT0 + i * 1000, i));
  store->append(std::move(batch));
  REQUIRE(store->flush());

  auto range = raw_of(store->reader(), "p", kT0 + 10'000, kT0 + 20'000);
  REQUIRE(range.size() == 10);
  CHECK(range.front().value == 10.0);
  CHECK(range.back().value == 19.0);

  int seen = 0;
  auto n = store->reader().raw("p", kT0, kT0 + 100'000, [&](const Reading&) { return ++seen < 3; });
  REQUIRE(n.ok());
  CHECK(*n == 3);
  CHECK(seen == 3);

  auto none =
      store->reader().raw("never.recorded", kT0, kT0 + 1, [](const Reading&) { return true; });
  REQUIRE(none.ok());
  CHECK(*none == 0);
}

TEST_CASE("A batch is committed as soon as it is large, without waiting for its age",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_batch_readings = 100;
  options.max_batch_age = std::chrono::hours(1);  // only size can trigger a commit here
  auto store = open_store(options, clock);

  std::vector<Reading> readings;
  for (int i = 0; i < 250; ++i) readings.push_back(good("p", kT0 + i, i));
  store->append(std::move(readings));

  REQUIRE(eventually([&] { return store->health().committed_readings == 200; }));
  // The remaining 50 are not a full batch and are far younger than an hour: they wait.
  CHECK(store->health().queued_readings == 50);
  CHECK(count_rows(options.path, "SELECT count(*) FROM readings") == 200);

  REQUIRE(store->flush());
  CHECK(store->health().committed_readings == 250);
  CHECK(count_rows(options.path, "SELECT count(*) FROM readings") == 250);
}

TEST_CASE("A small batch is committed once its oldest reading is max_batch_age old",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_batch_readings = 1'000'000;
  options.max_batch_age = std::chrono::milliseconds(50);
  auto store = open_store(options, clock);

  store->append({good("p", kT0, 1.0), good("p", kT0 + 1, 2.0)});
  // No flush: only the age rule can commit these.
  REQUIRE(eventually([&] { return store->health().committed_readings == 2; }));
  CHECK(count_rows(options.path, "SELECT count(*) FROM readings") == 2);
}

TEST_CASE("Rollups hold min/max/avg/count of good readings per minute, across batches",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  const std::string p = "hammam.air.humidity";
  store->append({good(p, kT0 + 1000, 1.0),
                 good(p, kT0 + 2000, 2.0),
                 good(p, kT0 + 3000, 3.0),
                 {p, kT0 + 4000, 100.0, v1::QUALITY_BAD},
                 {p, kT0 + 5000, 50.0, v1::QUALITY_OFFLINE},
                 {p, kT0 + 6000, 7.0, v1::QUALITY_STALE},
                 {p, kT0 + 7000, -5.0, v1::QUALITY_UNSPECIFIED}});
  REQUIRE(store->flush());
  // A second transaction adds to the same minute.
  store->append({good(p, kT0 + 30'000, 4.0), good(p, kT0 + kMinute + 1, 10.0),
                 good(p, kT0 + kMinute + 2, 20.0)});
  REQUIRE(store->flush());

  auto series = store->reader().query({p}, kT0, kT0 + 2 * kMinute, kMinute);
  REQUIRE(series.ok());
  REQUIRE(series->size() == 1);
  const Series& s = series->front();
  CHECK(s.point == p);
  CHECK(s.from_rollups);
  REQUIRE(s.buckets.size() == 2);
  CHECK(s.buckets[0].time_ms == kT0);
  CHECK(s.buckets[0].min == 1.0);
  CHECK(s.buckets[0].max == 4.0);
  CHECK(s.buckets[0].avg == Approx(2.5));
  CHECK(s.buckets[0].count == 4);
  CHECK(s.buckets[1].time_ms == kT0 + kMinute);
  CHECK(s.buckets[1].min == 10.0);
  CHECK(s.buckets[1].max == 20.0);
  CHECK(s.buckets[1].avg == Approx(15.0));
  CHECK(s.buckets[1].count == 2);

  // A 2-minute step merges the two minute rows.
  auto wide = store->reader().query({p}, kT0, kT0 + 2 * kMinute, 2 * kMinute);
  REQUIRE(wide.ok());
  REQUIRE(wide->front().buckets.size() == 1);
  CHECK(wide->front().buckets[0].count == 6);
  CHECK(wide->front().buckets[0].avg == Approx((1 + 2 + 3 + 4 + 10 + 20) / 6.0));
  CHECK(wide->front().buckets[0].max == 20.0);
}

TEST_CASE("Steps under a minute read raw rows, and still only average good readings",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->append({good("p", kT0 + 100, 1.0),
                 good("p", kT0 + 200, 3.0),
                 {"p", kT0 + 300, 1000.0, v1::QUALITY_BAD},
                 good("p", kT0 + 10'500, 8.0),
                 {"p", kT0 + 20'000, 9.0, v1::QUALITY_STALE}});
  REQUIRE(store->flush());

  auto series = store->reader().query({"p", "unknown.point"}, kT0, kT0 + kMinute, 10'000);
  REQUIRE(series.ok());
  REQUIRE(series->size() == 2);
  const Series& s = (*series)[0];
  CHECK_FALSE(s.from_rollups);
  REQUIRE(s.buckets.size() == 2);  // the 20 s bucket holds only a stale reading: absent
  CHECK(s.buckets[0].time_ms == kT0);
  CHECK(s.buckets[0].avg == Approx(2.0));
  CHECK(s.buckets[0].max == 3.0);
  CHECK(s.buckets[0].count == 2);
  CHECK(s.buckets[1].time_ms == kT0 + 10'000);
  CHECK(s.buckets[1].count == 1);
  CHECK((*series)[1].point == "unknown.point");
  CHECK((*series)[1].buckets.empty());

  // The range is half-open: a reading at `to` is outside.
  auto edge = store->reader().query({"p"}, kT0 + 200, kT0 + 10'500, 1000);
  REQUIRE(edge.ok());
  REQUIRE(edge->front().buckets.size() == 1);
  CHECK(edge->front().buckets[0].avg == 3.0);
}

TEST_CASE("Queries with an unusable step or range are refused", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  CHECK_FALSE(store->reader().query({"p"}, kT0, kT0 + 1000, 0).ok());
  CHECK_FALSE(store->reader().query({"p"}, kT0 + 1000, kT0, 1000).ok());
  auto huge = store->reader().query({"p"}, kT0, kT0 + 365 * kDay, 1);
  REQUIRE_FALSE(huge.ok());
  CHECK_THAT(huge.error().message, Catch::Contains("larger step"));
}

TEST_CASE("A non-finite value is kept as a bad reading and never averaged", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->append({good("p", kT0, std::numeric_limits<double>::quiet_NaN()), good("p", kT0 + 1, 5.0),
                 good("p", kT0 + 2, std::numeric_limits<double>::infinity())});
  REQUIRE(store->flush());
  CHECK(store->health().state == StoreHealth::State::ok);
  auto rows = raw_of(store->reader(), "p");
  REQUIRE(rows.size() == 3);
  CHECK(std::isnan(rows[0].value));
  CHECK(rows[0].quality == v1::QUALITY_BAD);
  CHECK(rows[2].quality == v1::QUALITY_BAD);
  auto minute = store->reader().query({"p"}, kT0, kT0 + kMinute, kMinute);
  REQUIRE(minute.ok());
  REQUIRE(minute->front().buckets.size() == 1);
  CHECK(minute->front().buckets[0].avg == 5.0);
  CHECK(minute->front().buckets[0].count == 1);
}

TEST_CASE("latest() gives each point's newest reading whatever its quality", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->append({good("a", kT0, 1.0),
                 good("a", kT0 + 2000, 2.0),
                 good("b", kT0 + 500, 7.0),
                 {"b", kT0 + 900, 0.0, v1::QUALITY_OFFLINE}});
  // Arrives late but is older: it must not become the latest.
  store->append({good("a", kT0 + 1000, 1.5)});
  REQUIRE(store->flush());
  auto latest = store->reader().latest({"a", "b", "nobody"});
  REQUIRE(latest.ok());
  REQUIRE(latest->size() == 2);
  CHECK((*latest)[0].point == "a");
  CHECK((*latest)[0].value == 2.0);
  CHECK((*latest)[1].point == "b");
  CHECK((*latest)[1].quality == v1::QUALITY_OFFLINE);
  CHECK((*latest)[1].time_ms == kT0 + 900);
}

TEST_CASE("Retention deletes raw rows after their tier, rollups and events after theirs",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0 + 100 * kDay);
  auto options = options_for(dir);
  options.raw_retention_days = 30;
  options.rollup_retention_days = 730;
  options.retention_batch_rows = 7;  // many small delete transactions
  auto store = open_store(options, clock);

  std::vector<Reading> old_readings;
  for (int i = 0; i < 100; ++i) old_readings.push_back(good("p", kT0 + i * 1000, i));
  for (int i = 0; i < 10; ++i) old_readings.push_back(good("q", kT0 + i * 1000, i));
  store->append(std::move(old_readings));
  store->append({good("p", kT0 + 99 * kDay, 42.0)});
  store->append_event({0, kT0, "alarm.raised", "lounge", "noise", "compliance", "too loud", "{}"});
  store->append_event({0, kT0 + 99 * kDay, "scene.applied", "lounge", "calm", "anna", "", "{}"});
  REQUIRE(store->flush());

  REQUIRE(store->run_retention());
  auto rows = raw_of(store->reader(), "p");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].value == 42.0);
  CHECK(raw_of(store->reader(), "q").empty());
  // The rollups of the expired raw rows are still there: the 2-year tier.
  auto old_minutes = store->reader().query({"p", "q"}, kT0, kT0 + 2 * kMinute, kMinute);
  REQUIRE(old_minutes.ok());
  REQUIRE((*old_minutes)[0].buckets.size() == 2);
  CHECK((*old_minutes)[0].buckets[0].count == 60);
  CHECK((*old_minutes)[0].buckets[1].count == 40);
  CHECK((*old_minutes)[1].buckets.size() == 1);
  CHECK(store->reader().events({}).value().size() == 2);

  clock.set(kT0 + 731 * kDay);
  REQUIRE(store->run_retention());
  auto gone = store->reader().query({"p"}, kT0, kT0 + 2 * kMinute, kMinute);
  REQUIRE(gone.ok());
  CHECK(gone->front().buckets.empty());
  auto events = store->reader().events({});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK(events->front().kind == "scene.applied");
  // The reading of day 99 is past 30 days now, its minute is not past 730 days.
  CHECK(raw_of(store->reader(), "p").empty());
  auto kept = store->reader().query({"p"}, kT0 + 99 * kDay, kT0 + 99 * kDay + kMinute, kMinute);
  REQUIRE(kept.ok());
  CHECK(kept->front().buckets.size() == 1);
}

TEST_CASE("Retention of 0 days keeps a tier forever", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0 + 5000 * kDay);
  auto options = options_for(dir);
  options.raw_retention_days = 0;
  options.rollup_retention_days = 0;
  auto store = open_store(options, clock);
  store->append({good("p", kT0, 1.0)});
  REQUIRE(store->flush());
  REQUIRE(store->run_retention());
  CHECK(raw_of(store->reader(), "p").size() == 1);
}

TEST_CASE("State round-trips bytes, survives a restart, and can be erased", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  const std::string binary("scene\0lounge\xff", 13);
  {
    auto store = open_store(options_for(dir), clock);
    store->put_state("scene/lounge", "calm");
    store->put_state("scene/lounge", binary);  // the last write wins
    store->put_state("hold/tea", "until 18:00");
    store->put_state("empty", "");
    // Visible at once through the store, before the writer got to it.
    CHECK(store->get_state("scene/lounge").value() == binary);
    REQUIRE(store->flush());
    CHECK(store->reader().get_state("scene/lounge").value() == binary);
    store->erase_state("hold/tea");
    CHECK_FALSE(store->get_state("hold/tea").value().has_value());
    store->stop();
  }
  auto store = open_store(options_for(dir), clock);
  CHECK(store->get_state("scene/lounge").value() == binary);
  CHECK_FALSE(store->get_state("hold/tea").value().has_value());
  CHECK(store->get_state("empty").value() == std::string());
  CHECK_FALSE(store->get_state("never").value().has_value());
  store->put_state("scene/tea", "bright");
  REQUIRE(store->flush());
  auto scenes = store->reader().list_state("scene/");
  REQUIRE(scenes.ok());
  REQUIRE(scenes->size() == 2);
  CHECK((*scenes)[0].first == "scene/lounge");
  CHECK((*scenes)[1].first == "scene/tea");
  CHECK((*scenes)[1].second == "bright");
}

TEST_CASE("Events are appended and queried by time range, kind and zone", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->append_event({0, kT0 + 1, "scene.applied", "lounge", "calm", "anna", "Calm in the lounge",
                       R"({"fade_ms":3000})"});
  store->append_event({0, kT0 + 2, "alarm.raised", "hammam", "air.temperature", "compliance",
                       "Hammam too cold", "{}"});
  store->append_event({0, kT0 + 3, "alarm.cleared", "hammam", "air.temperature", "compliance",
                       "Hammam back in range", "{}"});
  store->append_event({0, kT0 + 4, "scene.applied", "", "evening", "scheduler", "", "{}"});
  REQUIRE(store->flush());

  auto all = store->reader().events({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].id > 0);
  CHECK((*all)[0].details_json == R"({"fade_ms":3000})");
  CHECK((*all)[0].who == "anna");
  CHECK((*all)[0].message == "Calm in the lounge");

  auto scenes = store->reader().events({kT0, kT0 + 10, {"scene.applied"}, {}, 100});
  REQUIRE(scenes.ok());
  REQUIRE(scenes->size() == 2);
  CHECK((*scenes)[1].subject == "evening");

  auto alarms =
      store->reader().events({kT0, kT0 + 10, {"alarm.raised", "alarm.cleared"}, "hammam", 100});
  REQUIRE(alarms.ok());
  CHECK(alarms->size() == 2);

  auto window = store->reader().events({kT0 + 2, kT0 + 4, {}, {}, 100});
  REQUIRE(window.ok());
  REQUIRE(window->size() == 2);
  CHECK((*window)[0].time_ms == kT0 + 2);

  auto limited = store->reader().events({kT0, kT0 + 10, {}, {}, 1});
  REQUIRE(limited.ok());
  CHECK(limited->size() == 1);
}

TEST_CASE("The daily index is upserted per date, zone and sense", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->put_daily_index({"2026-03-28", "lounge", "SENSE_SIGHT", 50.0, 3600, 1800, 0});
  store->put_daily_index({"2026-03-28", "lounge", "SENSE_SIGHT", 75.0, 7200, 5400, 60});
  store->put_daily_index({"2026-03-28", "tea", "SENSE_HEARING", 100.0, 100, 100, 0});
  store->put_daily_index({"2026-03-29", "lounge", "SENSE_SIGHT", 90.0, 1000, 900, 0});
  REQUIRE(store->flush());

  auto day = store->reader().daily_index("2026-03-28", "2026-03-28");
  REQUIRE(day.ok());
  REQUIRE(day->size() == 2);
  CHECK((*day)[0].zone == "lounge");
  CHECK((*day)[0].percent == 75.0);
  CHECK((*day)[0].seconds_applicable == 7200);
  CHECK((*day)[0].seconds_in_standard == 5400);
  CHECK((*day)[0].seconds_no_data == 60);
  auto lounge = store->reader().daily_index("2026-03-01", "2026-03-31", std::string("lounge"));
  REQUIRE(lounge.ok());
  REQUIRE(lounge->size() == 2);
  CHECK((*lounge)[1].date == "2026-03-29");
}

TEST_CASE("A full queue drops the oldest readings and counts them", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_queued_readings = 100;
  options.retry_initial = std::chrono::hours(1);  // after the first failure, no retry until told
  options.retry_max = std::chrono::hours(1);
  auto store = open_store(options, clock);

  store->set_read_only_for_testing(true);
  store->append({good("p", kT0, 0.0)});
  REQUIRE(eventually([&] { return store->health().state == StoreHealth::State::degraded; }));
  std::vector<Reading> burst;
  for (int i = 1; i <= 250; ++i) burst.push_back(good("p", kT0 + i, i));
  store->append(std::move(burst));
  auto h = store->health();
  CHECK(h.queued_readings == 100);
  CHECK(h.dropped_readings == 151);

  store->set_read_only_for_testing(false);
  REQUIRE(store->flush());
  auto rows = raw_of(store->reader(), "p");
  REQUIRE(rows.size() == 100);
  CHECK(rows.front().value == 151.0);  // the newest 100 of 251 were kept
  CHECK(rows.back().value == 250.0);
  CHECK(store->health().dropped_readings == 151);
}

TEST_CASE("A read-only database degrades the store, keeps everything queued, and recovers",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.retry_initial = std::chrono::milliseconds(5);
  options.retry_max = std::chrono::milliseconds(20);
  auto store = open_store(options, clock);

  store->set_read_only_for_testing(true);
  store->append({good("p", kT0, 1.0), good("p", kT0 + 1, 2.0)});
  store->put_state("scene/lounge", "calm");
  store->append_event({0, kT0, "scene.applied", "lounge", "calm", "anna", "", "{}"});
  CHECK_FALSE(store->flush(std::chrono::milliseconds(200)));
  REQUIRE(eventually([&] { return store->health().failed_commits >= 2; }));  // it keeps retrying
  auto h = store->health();
  CHECK(h.state == StoreHealth::State::degraded);
  CHECK_THAT(h.error, Catch::Contains("readonly"));
  CHECK(h.queued_readings == 2);
  CHECK(h.queued_other == 2);
  CHECK(h.dropped_readings == 0);
  CHECK(store->get_state("scene/lounge").value() == "calm");

  clock.set(kT0 + 5000);
  store->set_read_only_for_testing(false);
  REQUIRE(store->flush());
  h = store->health();
  CHECK(h.state == StoreHealth::State::ok);
  CHECK(h.error.empty());
  CHECK(h.queued_readings == 0);
  CHECK(h.last_commit_ms == kT0 + 5000);
  CHECK(raw_of(store->reader(), "p").size() == 2);
  CHECK(store->reader().get_state("scene/lounge").value() == "calm");
  CHECK(store->reader().events({}).value().size() == 1);
}

TEST_CASE("A full disk degrades the store, keeps the queue, and nothing is lost once space returns",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_database_bytes = 128 * 1024;  // stands in for a full disk: SQLITE_FULL
  options.max_batch_readings = 1000;
  options.retry_initial = std::chrono::milliseconds(5);
  options.retry_max = std::chrono::milliseconds(20);
  auto store = open_store(options, clock);

  constexpr int kReadings = 20'000;
  for (int i = 0; i < kReadings; i += 100) {
    std::vector<Reading> batch;
    for (int j = i; j < i + 100; ++j)
      batch.push_back(good("spa.sensor." + std::to_string(j % 7), kT0 + j, j));
    store->append(std::move(batch));
  }
  REQUIRE(eventually([&] { return store->health().state == StoreHealth::State::degraded; }));
  auto h = store->health();
  CHECK_THAT(h.error, Catch::Contains("full"));
  CHECK(h.queued_readings > 0);
  CHECK(h.dropped_readings == 0);
  CHECK(h.committed_readings + h.queued_readings == kReadings);
  CHECK(integrity_of(options.path) == "ok");

  store->set_max_database_bytes(0);
  REQUIRE(store->flush());
  h = store->health();
  CHECK(h.state == StoreHealth::State::ok);
  CHECK(h.committed_readings == kReadings);
  CHECK(count_rows(options.path, "SELECT count(*) FROM readings") == kReadings);
  CHECK(count_rows(options.path, "SELECT count(DISTINCT value) FROM readings") == kReadings);
  CHECK(count_rows(options.path, "SELECT sum(count) FROM rollup_1m") == kReadings);
}

TEST_CASE("stop() commits what is queued, and appends after stop are counted as dropped",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_batch_age = std::chrono::hours(1);
  auto store = open_store(options, clock);
  std::vector<Reading> readings;
  for (int i = 0; i < 1234; ++i) readings.push_back(good("p", kT0 + i, i));
  store->append(std::move(readings));
  store->put_state("k", "v");
  store->stop();
  CHECK(store->health().committed_readings == 1234);
  store->append({good("p", kT0 + 5000, 0.0)});
  CHECK(store->health().dropped_readings == 1);
  store->stop();  // idempotent
  CHECK(count_rows(options.path, "SELECT count(*) FROM readings") == 1234);
  CHECK(count_rows(options.path, "SELECT count(*) FROM state") == 1);
}

TEST_CASE("Readers on their own connections query while the writer ingests", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  options.max_batch_readings = 500;
  auto store = open_store(options, clock);
  auto reader = store->open_reader();
  REQUIRE(reader.ok());

  std::thread producer([&] {
    for (int i = 0; i < 50; ++i) {
      std::vector<Reading> batch;
      for (int j = 0; j < 200; ++j) batch.push_back(good("p", kT0 + i * 200 + j, 1.0));
      store->append(std::move(batch));
    }
  });
  std::int64_t last_count = 0;
  bool monotonic = true;
  for (int i = 0; i < 50; ++i) {
    auto s = reader.value()->query({"p"}, kT0, kT0 + kMinute, kMinute);
    REQUIRE(s.ok());
    const std::int64_t count = s->front().buckets.empty() ? 0 : s->front().buckets[0].count;
    monotonic = monotonic && count >= last_count;
    last_count = count;
  }
  producer.join();
  REQUIRE(store->flush());
  CHECK(monotonic);
  auto s = reader.value()->query({"p"}, kT0, kT0 + kMinute, kMinute);
  REQUIRE(s.ok());
  REQUIRE(s->front().buckets.size() == 1);
  CHECK(s->front().buckets[0].count == 10'000);
}

TEST_CASE("A database that cannot be opened yet degrades the store until it can", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  // The directory does not exist yet, as when the data disk is not mounted at start-up.
  const std::string later = dir.file("not-mounted-yet");
  options.path = later + "/telemetry.db";
  options.retry_initial = std::chrono::milliseconds(5);
  options.retry_max = std::chrono::milliseconds(20);
  auto store = open_store(options, clock);

  auto h = store->health();
  CHECK(h.state == StoreHealth::State::degraded);
  CHECK_THAT(h.error, Catch::Contains("cannot open"));
  store->append({good("p", kT0, 1.0)});
  store->put_state("scene/lounge", "calm");
  CHECK(store->get_state("scene/lounge").value() == "calm");
  CHECK_FALSE(store->reader().latest({"p"}).ok());  // a clear error, not a crash
  CHECK_FALSE(store->flush(std::chrono::milliseconds(100)));
  CHECK(store->health().queued_readings == 1);

  std::filesystem::create_directory(later);
  REQUIRE(store->flush());
  CHECK(store->health().state == StoreHealth::State::ok);
  auto latest = store->reader().latest({"p"});
  REQUIRE(latest.ok());
  REQUIRE(latest->size() == 1);
  CHECK(latest->front().value == 1.0);
  CHECK(store->reader().get_state("scene/lounge").value() == "calm");
}

TEST_CASE("A file that is not a SQLite database is a start-up error", "[telemetry]") {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("telemetry.db").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("this is a venue's notes, not a database; it is long enough to have a header....\n",
               f);
    std::fclose(f);
  }
  ManualClock clock(kT0);
  auto store = TelemetryStore::open(options_for(dir), clock);
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.error().message, Catch::Contains("telemetry.db"));
}

TEST_CASE("A day with nothing applicable stores its index with no percentage", "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto store = open_store(options_for(dir), clock);
  store->put_daily_index(
      {"2026-12-25", "lounge", "SENSE_SMELL", std::numeric_limits<double>::quiet_NaN(), 0, 0, 0});
  store->append({good("p", kT0, 1.0)});
  REQUIRE(store->flush());
  CHECK(store->health().state == StoreHealth::State::ok);
  auto day = store->reader().daily_index("2026-12-25", "2026-12-25");
  REQUIRE(day.ok());
  REQUIRE(day->size() == 1);
  CHECK(std::isnan(day->front().percent));
  CHECK(day->front().seconds_applicable == 0);
}

TEST_CASE("A write the database refuses as invalid is dropped alone, not with what follows",
          "[telemetry]") {
  TempDir dir;
  ManualClock clock(kT0);
  auto options = options_for(dir);
  auto store = open_store(options, clock);
  {
    auto db = Connection::open(options.path, Connection::Mode::read_write);
    REQUIRE(db.ok());
    // Stands in for any write SQLite refuses for its content (SQLITE_CONSTRAINT).
    REQUIRE(
        db.value()
            .exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.kind = 'poison' "
                  "BEGIN SELECT RAISE(ABORT, 'poison event'); END")
            .ok());
  }
  store->append({good("p", kT0, 1.0), good("p", kT0 + 1, 2.0)});
  store->put_state("scene/lounge", "calm");
  store->append_event({0, kT0, "scene.applied", "lounge", "calm", "anna", "", "{}"});
  store->append_event({0, kT0 + 1, "poison", "lounge", "", "", "", "{}"});
  store->append_event({0, kT0 + 2, "alarm.raised", "lounge", "noise", "compliance", "", "{}"});
  REQUIRE(store->flush());

  const auto h = store->health();
  CHECK(h.state == StoreHealth::State::ok);
  CHECK(h.rejected_writes == 1);
  CHECK(h.committed_readings == 2);
  CHECK(raw_of(store->reader(), "p").size() == 2);
  CHECK(store->reader().get_state("scene/lounge").value() == "calm");
  auto events = store->reader().events({});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].kind == "scene.applied");
  CHECK((*events)[1].kind == "alarm.raised");
}
