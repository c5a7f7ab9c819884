#include "zones/compliance_snapshot.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace atmo::zones {
namespace {

// Strings are written as "=" + percent-escaped text so they never contain spaces or newlines and an
// empty string stays distinguishable; absent optionals are "-".
std::string enc(std::string_view s) {
  std::string out = "=";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '%' || c == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string opt(const std::optional<TimeMs>& v) { return v ? std::to_string(*v) : "-"; }

class Fields {
 public:
  explicit Fields(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size()) {
      auto j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      if (j > i) fields_.push_back(line.substr(i, j - i));
      i = j + 1;
    }
  }
  std::size_t size() const { return fields_.size(); }
  std::string_view tag() const { return fields_.empty() ? std::string_view() : fields_[0]; }
  bool ok() const { return ok_; }

  std::int64_t i64() {
    auto f = next();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec != std::errc() || p != f.data() + f.size()) ok_ = false;
    return v;
  }
  std::optional<std::int64_t> opt_i64() {
    if (peek() == "-") {
      ++pos_;
      return std::nullopt;
    }
    return i64();
  }
  std::optional<std::string> opt_str() {
    if (peek() == "-") {
      ++pos_;
      return std::nullopt;
    }
    return str();
  }
  double f64() {
    std::string f(next());
    char* end = nullptr;
    const double v = std::strtod(f.c_str(), &end);
    if (f.empty() || end != f.c_str() + f.size()) ok_ = false;
    return v;
  }
  bool flag() {
    auto v = i64();
    if (v != 0 && v != 1) ok_ = false;
    return v == 1;
  }
  std::string str() {
    auto f = next();
    if (f.empty() || f[0] != '=') {
      ok_ = false;
      return {};
    }
    std::string out;
    for (std::size_t i = 1; i < f.size(); ++i) {
      if (f[i] == '%' && i + 2 < f.size()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(f.data() + i + 1, f.data() + i + 3, v, 16);
        if (ec != std::errc() || p != f.data() + i + 3) ok_ = false;
        out += static_cast<char>(v);
        i += 2;
      } else if (f[i] == '%') {
        ok_ = false;
      } else {
        out += f[i];
      }
    }
    return out;
  }
  ComplianceState state() {
    auto v = i64();
    if (v < 0 || v > 4) ok_ = false;
    return static_cast<ComplianceState>(v);
  }

 private:
  std::string_view peek() const { return pos_ < fields_.size() ? fields_[pos_] : std::string_view(); }
  std::string_view next() {
    if (pos_ >= fields_.size()) {
      ok_ = false;
      return {};
    }
    return fields_[pos_++];
  }

  std::vector<std::string_view> fields_;
  std::size_t pos_ = 1;  // after the tag
  bool ok_ = true;
};

}  // namespace

std::string_view to_string(ComplianceState state) {
  switch (state) {
    case ComplianceState::not_applicable: return "not_applicable";
    case ComplianceState::ok: return "ok";
    case ComplianceState::drifting: return "drifting";
    case ComplianceState::no_data: return "no_data";
    case ComplianceState::out_of_standard: return "out_of_standard";
  }
  return "?";
}

std::string_view to_string(v1::Sense sense) {
  switch (sense) {
    case v1::SENSE_SIGHT: return "sight";
    case v1::SENSE_HEARING: return "hearing";
    case v1::SENSE_SMELL: return "smell";
    case v1::SENSE_TOUCH: return "touch";
    case v1::SENSE_TASTE: return "taste";
    default: return "unspecified";
  }
}

std::optional<double> DailyIndex::percent() const {
  const TimeMs measured = in_standard_ms + out_of_standard_ms;
  if (measured <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(in_standard_ms) / static_cast<double>(measured);
}

std::string serialize(const ComplianceSnapshot& s) {
  std::ostringstream out;
  out << "atmo-compliance " << s.version << "\n";
  out << "now " << s.now << " " << enc(s.day) << " " << (s.day_part ? enc(*s.day_part) : "-") << " "
      << s.day_part_since << "\n";
  for (const auto& c : s.criteria) {
    out << "criterion " << enc(c.zone) << " " << enc(c.id) << " " << c.applicable << " " << c.has_value << " "
        << num(c.value) << " " << c.last_good << " " << c.no_data << " " << opt(c.outside_since) << " "
        << num(c.worst) << " " << c.alarm << " " << static_cast<int>(c.state) << "\n";
  }
  for (const auto& c : s.checklist) {
    out << "checklist " << enc(c.zone) << " " << enc(c.id) << " " << c.applicable << " " << c.applicable_since
        << " " << opt(c.confirmed_at) << " " << enc(c.confirmed_by) << " " << c.alarm << " " << c.alarm_start
        << " " << static_cast<int>(c.state) << "\n";
  }
  for (const auto& d : s.today) {
    out << "index " << enc(d.day) << " " << enc(d.zone) << " " << static_cast<int>(d.sense) << " "
        << d.in_standard_ms << " " << d.out_of_standard_ms << " " << d.no_data_ms << "\n";
  }
  out << "end\n";
  return out.str();
}

Result<ComplianceSnapshot> parse_compliance_snapshot(std::string_view text) {
  ComplianceSnapshot s;
  std::size_t line_no = 0;
  bool ended = false;
  auto damaged = [&](std::string_view why) {
    return make_error("compliance state, line " + std::to_string(line_no) + ": " + std::string(why));
  };
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view line = text.substr(i, j - i);
    i = j + 1;
    ++line_no;
    if (line.empty()) continue;
    Fields f(line);
    if (line_no == 1) {
      if (f.tag() != "atmo-compliance") return damaged("not an atmo compliance state file");
      s.version = static_cast<int>(f.i64());
      if (!f.ok() || f.size() != 2) return damaged("unreadable version");
      if (s.version > ComplianceSnapshot::kVersion) {
        return damaged("version " + std::to_string(s.version) + " is newer than this atmo understands (" +
                       std::to_string(ComplianceSnapshot::kVersion) + ")");
      }
      continue;
    }
    if (ended) return damaged("text after \"end\"");
    if (f.tag() == "now") {
      s.now = f.i64();
      s.day = f.str();
      s.day_part = f.opt_str();
      s.day_part_since = f.i64();
      if (!f.ok() || f.size() != 5) return damaged("bad \"now\" line");
    } else if (f.tag() == "criterion") {
      ComplianceSnapshot::Criterion c;
      c.zone = f.str();
      c.id = f.str();
      c.applicable = f.flag();
      c.has_value = f.flag();
      c.value = f.f64();
      c.last_good = f.i64();
      c.no_data = f.flag();
      c.outside_since = f.opt_i64();
      c.worst = f.f64();
      c.alarm = f.flag();
      c.state = f.state();
      if (!f.ok() || f.size() != 12) return damaged("bad \"criterion\" line");
      s.criteria.push_back(std::move(c));
    } else if (f.tag() == "checklist") {
      ComplianceSnapshot::Checklist c;
      c.zone = f.str();
      c.id = f.str();
      c.applicable = f.flag();
      c.applicable_since = f.i64();
      c.confirmed_at = f.opt_i64();
      c.confirmed_by = f.str();
      c.alarm = f.flag();
      c.alarm_start = f.i64();
      c.state = f.state();
      if (!f.ok() || f.size() != 10) return damaged("bad \"checklist\" line");
      s.checklist.push_back(std::move(c));
    } else if (f.tag() == "index") {
      DailyIndex d;
      d.day = f.str();
      d.zone = f.str();
      d.sense = static_cast<v1::Sense>(f.i64());
      d.in_standard_ms = f.i64();
      d.out_of_standard_ms = f.i64();
      d.no_data_ms = f.i64();
      if (!f.ok() || f.size() != 7 || !v1::Sense_IsValid(d.sense)) return damaged("bad \"index\" line");
      s.today.push_back(std::move(d));
    } else if (f.tag() == "end") {
      ended = true;
    } else {
      return damaged("unknown line \"" + std::string(f.tag()) + "\"");
    }
  }
  if (line_no == 0) return make_error("compliance state is empty");
  if (!ended) return make_error("compliance state is truncated (no \"end\" line): it was not written completely");
  return s;
}

}  // namespace atmo::zones
