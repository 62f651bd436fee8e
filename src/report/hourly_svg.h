// The would-be-denials-per-hour chart as one inline SVG element (bars: would-be denials; a line:
// all accesses), for the self-contained HTML report. No scripts, no external resources.
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "rls_shadow/report.h"

namespace rls_shadow {

std::string RenderHourlySvg(const std::vector<HourlyCount>& hourly);

}  // namespace rls_shadow
