// What a browser sends in its Origin header: "scheme://host[:port]" and nothing more. Checked where
// an administrator names origins (the venue's api.allowed_origins, `atmo serve --allowed-origin`),
// because a slip there ("https://tablet.example/" with a slash) would never match and the tablet
// would be refused with no hint why.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atmo::config {

/// Return: nullopt when `origin` has the shape of an Origin header, else what is wrong with it.
std::optional<std::string> web_origin_problem(std::string_view origin);

}  // namespace atmo::config
