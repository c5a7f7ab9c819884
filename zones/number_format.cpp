#include "zones/number_format.hpp"

#include <cstdio>

namespace atmo::zones {

std::string format_number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace atmo::zones
