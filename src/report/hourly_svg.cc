#include "report/hourly_svg.h"

#include <algorithm>
#include <cstdio>

#include "report/iso_time.h"

namespace rls_shadow {
namespace {

constexpr double kWidth = 720, kHeight = 180, kLeft = 48, kBottom = 24, kTop = 8;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string RenderHourlySvg(const std::vector<HourlyCount>& hourly) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hourly\" width=\"" +
                    Num(kWidth) + "\" height=\"" + Num(kHeight) + "\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(kHeight) +
                    "\" role=\"img\" aria-label=\"Would-be denials per hour\">";
  if (hourly.empty()) {
    return svg + "<text x=\"" + Num(kLeft) + "\" y=\"" + Num(kHeight / 2) +
           "\">No accesses in the window</text></svg>";
  }
  uint64_t max = 1;
  for (const auto& h : hourly) max = std::max(max, h.would_be_denials);
  const double plot_w = kWidth - kLeft - 8, plot_h = kHeight - kTop - kBottom;
  const double bar_w = plot_w / static_cast<double>(hourly.size());
  svg += "<line x1=\"" + Num(kLeft) + "\" y1=\"" + Num(kTop + plot_h) + "\" x2=\"" +
         Num(kLeft + plot_w) + "\" y2=\"" + Num(kTop + plot_h) + "\" stroke=\"#888\"/>";
  svg += "<text x=\"4\" y=\"" + Num(kTop + 10) + "\" font-size=\"11\">" + std::to_string(max) +
         "</text><text x=\"4\" y=\"" + Num(kTop + plot_h) + "\" font-size=\"11\">0</text>";
  for (size_t i = 0; i < hourly.size(); ++i) {
    const auto& h = hourly[i];
    const double bh = plot_h * static_cast<double>(h.would_be_denials) / static_cast<double>(max);
    svg += "<rect class=\"bar\" x=\"" + Num(kLeft + bar_w * static_cast<double>(i)) + "\" y=\"" +
           Num(kTop + plot_h - bh) + "\" width=\"" + Num(std::max(bar_w - 1, 1.0)) +
           "\" height=\"" + Num(bh) + "\" fill=\"#c0392b\"><title>" +
           FormatIsoUtc(h.hour_start_us) + ": " + std::to_string(h.would_be_denials) +
           " would-be denials of " + std::to_string(h.accesses) + " accesses</title></rect>";
  }
  svg += "<text x=\"" + Num(kLeft) + "\" y=\"" + Num(kHeight - 6) + "\" font-size=\"11\">" +
         FormatIsoUtc(hourly.front().hour_start_us) + "</text>";
  svg += "<text x=\"" + Num(kLeft + plot_w) + "\" y=\"" + Num(kHeight - 6) +
         "\" font-size=\"11\" text-anchor=\"end\">" + FormatIsoUtc(hourly.back().hour_start_us) +
         "</text></svg>";
  return svg;
}

}  // namespace rls_shadow
