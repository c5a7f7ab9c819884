#include "drivers/modbus/point_quality.hpp"

#include <cmath>
#include <limits>

#include "drivers/modbus/register_codec.hpp"

namespace atmo::modbus {
namespace {

std::string format_number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

PointReading PointTracker::make(double value, v1::Quality quality, std::string error, TimeMs now) {
  quality_ = quality;
  return PointReading{point_, now, value, quality, std::move(error)};
}

PointReading PointTracker::on_value(double value, TimeMs now) {
  const auto& map = *point_->map;
  if (!std::isfinite(value)) return make(value, v1::QUALITY_BAD, "the device sent a value that is not a number", now);
  if (!in_range(map, value)) {
    return make(value, v1::QUALITY_BAD,
                "value " + format_number(value) + " is outside the valid range " + format_number(map.range().min()) +
                    ".." + format_number(map.range().max()),
                now);
  }
  last_good_ = value;
  last_good_ms_ = now;
  return make(value, v1::QUALITY_GOOD, {}, now);
}

PointReading PointTracker::on_bad(std::string error, TimeMs now) {
  return make(std::numeric_limits<double>::quiet_NaN(), v1::QUALITY_BAD, std::move(error), now);
}

std::optional<PointReading> PointTracker::on_no_answer(bool device_offline, const std::string& error, TimeMs now) {
  const double last = last_good_.value_or(std::numeric_limits<double>::quiet_NaN());
  if (device_offline) {
    if (quality_ == v1::QUALITY_OFFLINE) return std::nullopt;
    return make(last, v1::QUALITY_OFFLINE, error, now);
  }
  // A single missed reply keeps the last good value; only its age makes it stale.
  if (quality_ == v1::QUALITY_GOOD && last_good_ && now - last_good_ms_ > 2 * point_->poll_period.count()) {
    return make(last, v1::QUALITY_STALE, error, now);
  }
  return std::nullopt;
}

}  // namespace atmo::modbus
