#include "controller/report/log_export.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "controller/report/report_formats.hpp"

namespace atmo::report {
namespace {

constexpr std::uint64_t kProgressEveryRows = 4096;
constexpr std::int64_t kBucketsPerChunk = 10'000;  ///< per query in step mode: bounded memory

std::string value_text(double v) {
  if (!std::isfinite(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string quality_name(v1::Quality quality) {
  switch (quality) {
    case v1::QUALITY_GOOD: return "good";
    case v1::QUALITY_STALE: return "stale";
    case v1::QUALITY_BAD: return "bad";
    case v1::QUALITY_OFFLINE: return "offline";
    default: return "unspecified";
  }
}

Result<ExportSummary> export_readings(telemetry::TelemetryReader& reader, const VenueTime& time,
                                      const ExportRequest& request, std::ostream& out,
                                      const std::function<void(const ExportProgress&)>& progress) {
  ExportSummary summary;
  const auto span = static_cast<double>(std::max<TimeMs>(1, request.to_ms - request.from_ms));
  const auto n = static_cast<double>(std::max<std::size_t>(1, request.points.size()));
  const auto report = [&](std::size_t index, TimeMs at) {
    if (!progress) return;
    const double within = std::clamp(static_cast<double>(at - request.from_ms) / span, 0.0, 1.0);
    progress(ExportProgress{(static_cast<double>(index) + within) / n, summary.rows, index});
  };
  const auto write_failed = [] { return make_error("cannot write the export (disk full or output closed)"); };

  out << (request.step_ms > 0 ? kStepExportHeader : kRawExportHeader) << '\n';
  for (std::size_t i = 0; i < request.points.size(); ++i) {
    const auto& point = request.points[i];
    const auto field = csv_field(point);
    report(i, request.from_ms);
    std::uint64_t rows_before = summary.rows;
    if (request.step_ms <= 0) {
      bool ok = true;
      auto given = reader.raw(point, request.from_ms, request.to_ms, [&](const telemetry::Reading& r) {
        out << time.iso(r.time_ms) << ',' << r.time_ms << ',' << field << ',' << value_text(r.value) << ','
            << quality_name(r.quality) << '\n';
        if (!out) {
          ok = false;
          return false;
        }
        if (++summary.rows % kProgressEveryRows == 0) report(i, r.time_ms);
        return true;
      });
      if (!given) return given.error();
      if (!ok) return write_failed();
    } else {
      const TimeMs chunk = request.step_ms * kBucketsPerChunk;
      for (TimeMs from = request.from_ms; from < request.to_ms; from += chunk) {
        auto series = reader.query({point}, from, std::min(request.to_ms, from + chunk), request.step_ms);
        if (!series) return series.error();
        for (const auto& b : series->front().buckets) {
          out << time.iso(b.time_ms) << ',' << b.time_ms << ',' << field << ',' << value_text(b.avg) << ",good,"
              << value_text(b.min) << ',' << value_text(b.max) << ',' << b.count << '\n';
          ++summary.rows;
        }
        if (!out) return write_failed();
        report(i, from + chunk);
      }
    }
    if (summary.rows > rows_before) ++summary.points_with_data;
  }
  out.flush();
  if (!out) return write_failed();
  if (progress) progress(ExportProgress{1.0, summary.rows, request.points.size()});
  return summary;
}

}  // namespace atmo::report
