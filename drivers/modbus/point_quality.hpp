// What a poll means for each point: a reading with a quality, never a silent 0. A value the device
// sent is good (or bad when outside its range), an exception or garbage is bad with its error text,
// a device that stopped answering makes its points offline, and a good value that was not refreshed
// for two poll periods turns stale. Pure logic over explicit times, so it is tested with no bus.
#pragma once

#include <optional>
#include <string>

#include "config/atmo.pb.h"
#include "zones/clock.hpp"
#include "zones/venue.hpp"

namespace atmo::modbus {

/// One reading of one point, as the bus workers hand them to the controller.
struct PointReading {
  const zones::Point* point = nullptr;
  TimeMs time_ms = 0;
  double value = 0;  ///< NaN when the point never had a value (offline or bad from the start)
  v1::Quality quality = v1::QUALITY_UNSPECIFIED;
  std::string error;  ///< why the reading is bad, stale or offline; empty when good
};

/// The quality state of one polled point. Owned by its bus worker.
class PointTracker {
 public:
  explicit PointTracker(const zones::Point& point) : point_(&point) {}

  /// The device sent `value`: good when in range, else bad (the value is kept for diagnosis).
  PointReading on_value(double value, TimeMs now);
  /// The device answered with an error (exception reply, malformed frame, undecodable value).
  PointReading on_bad(std::string error, TimeMs now);
  /// The poll got no answer. Returns a reading only when the quality changes: offline when the
  /// device is now offline, stale when the last good value is older than two poll periods.
  std::optional<PointReading> on_no_answer(bool device_offline, const std::string& error, TimeMs now);

  const zones::Point& point() const { return *point_; }
  v1::Quality quality() const { return quality_; }
  std::optional<double> last_good() const { return last_good_; }

 private:
  PointReading make(double value, v1::Quality quality, std::string error, TimeMs now);

  const zones::Point* point_;
  std::optional<double> last_good_;
  TimeMs last_good_ms_ = 0;
  v1::Quality quality_ = v1::QUALITY_UNSPECIFIED;
};

}  // namespace atmo::modbus
