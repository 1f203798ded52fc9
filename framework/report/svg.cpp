// Charts are drawn in a fixed coordinate frame (viewBox) and scale with the page; text uses the
// page's font, so the report stays readable without any external stylesheet.
#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace audify::svg {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

struct Frame {
  double width, height, left, right, top, bottom;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
};

std::string open_svg(const Frame& f, const Labels& l) {
  std::string s = fmt::format(
      "<svg viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n<title>{}</title>\n",
      f.width, f.height, f.width, escape(l.title));
  s +=
      fmt::format("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                  f.width / 2, escape(l.title));
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   f.left + f.plot_w() / 2, f.height - 6, escape(l.x));
  s += fmt::format(
      "<text transform=\"translate(14,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
      f.top + f.plot_h() / 2, escape(l.y));
  return s;
}

// Horizontal grid lines with tick labels at 5 even steps from 0 to y_max.
std::string y_axis(const Frame& f, double y_max) {
  std::string s;
  for (int i = 0; i <= 5; ++i) {
    const double v = y_max * i / 5, y = f.top + f.plot_h() * (1 - i / 5.0);
    s += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n",
                     f.left, y, f.left + f.plot_w(), y);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3g}</text>\n", f.left - 4,
                     y + 4, v);
  }
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n", f.left,
                   f.top, f.top + f.plot_h());
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", f.left,
                   f.top + f.plot_h(), f.left + f.plot_w());
  return s;
}

double positive_max(double requested, double data_max) {
  const double m = std::max(requested, data_max);
  return m > 1e-9 ? m : 1.0;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                      const Labels& labels_text, double y_max, std::string_view value_format,
                      const std::vector<double>& whiskers) {
  // Labels slant down-left from their bar at 35 degrees: room below (and left of the first bar)
  // for the longest, at about 5.6 px a character of the 10 px font.
  std::size_t longest = 0;
  for (const std::string& l : labels) longest = std::max(longest, l.size());
  const double text = 5.6 * static_cast<double>(longest);
  const double bottom = std::max(70.0, 20.0 + 0.58 * text), left = std::max(56.0, 0.82 * text);
  const double plot_h = 200;
  const Frame f{std::max(320.0, left + 14.0 + 48.0 * values.size()),
                30 + plot_h + bottom,
                left,
                16,
                30,
                bottom};
  const double top =
      positive_max(y_max, values.empty() ? 0 : *std::max_element(values.begin(), values.end()));
  std::string s = open_svg(f, labels_text) + y_axis(f, top);
  const double slot = values.empty() ? 0 : f.plot_w() / values.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double h = f.plot_h() * std::clamp(values[i] / top, 0.0, 1.0);
    const double x = f.left + slot * i + slot * 0.15, w = slot * 0.7;
    const double y = f.top + f.plot_h() - h;
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"{}\"/>\n",
        x, y, w, h, kPalette[0]);
    double label_y = y - 3;
    if (i < whiskers.size() && whiskers[i] > 0) {
      const auto at = [&](double v) {
        return f.top + f.plot_h() * (1 - std::clamp(v / top, 0.0, 1.0));
      };
      const double hi = at(values[i] + whiskers[i]), lo = at(values[i] - whiskers[i]);
      const double cx = x + w / 2;
      s += fmt::format(
          "<path d=\"M{0:.1f},{1:.1f}V{2:.1f}M{3:.1f},{1:.1f}H{4:.1f}M{3:.1f},{2:.1f}H{4:.1f}\" "
          "stroke=\"#333\" fill=\"none\"/>\n",
          cx, hi, lo, cx - w / 4, cx + w / 4);
      label_y = std::min(label_y, hi - 3);
    }
    s += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\">{}</text>\n",
        x + w / 2, label_y, escape(fmt::format(fmt::runtime(value_format), values[i])));
    const std::string label = i < labels.size() ? labels[i] : std::string{};
    const double lx = x + w / 2, ly = f.top + f.plot_h() + 12;
    s += fmt::format(
        "<text transform=\"translate({:.1f},{:.1f}) rotate(-35)\" text-anchor=\"end\" "
        "font-size=\"10\">{}</text>\n",
        lx, ly, escape(label));
  }
  return s + "</svg>\n";
}

std::string line_chart(const std::vector<Series>& series, const Labels& labels_text, double y_max) {
  const Frame f{560, 300, 56, 130, 30, 40};
  double x_min = 1e300, x_max = -1e300, data_y = 0;
  for (const Series& ser : series)
    for (std::size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) {
      x_min = std::min(x_min, ser.x[i]);
      x_max = std::max(x_max, ser.x[i]);
      data_y = std::max(data_y, ser.y[i]);
    }
  if (x_min > x_max) x_min = 0, x_max = 1;
  if (x_max - x_min < 1e-12) x_max = x_min + 1;
  const double top = positive_max(y_max, data_y);
  std::string s = open_svg(f, labels_text) + y_axis(f, top);
  auto px = [&](double x) { return f.left + f.plot_w() * (x - x_min) / (x_max - x_min); };
  auto py = [&](double y) { return f.top + f.plot_h() * (1 - std::clamp(y / top, 0.0, 1.0)); };
  bool integer_x = true;  // epochs: ticks on whole numbers, never "12.25"
  for (const Series& ser : series)
    for (double x : ser.x) integer_x = integer_x && x == std::round(x);
  std::vector<double> ticks;
  if (integer_x) {
    double step = 1;  // 1, 2, 5, 10, 20, 25, 50, 100, ...: at most about 6 ticks (never 2.5)
    for (int k = 0; (x_max - x_min) / step > 5 || step != std::round(step); ++k)
      step = std::pow(10.0, k / 4) * std::array<double, 4>{2, 2.5, 5, 10}[k % 4];
    const double first = std::ceil(x_min / step) * step;
    if (first - x_min >= step / 2) ticks.push_back(x_min);
    for (double v = first; v <= x_max + 1e-9; v += step) ticks.push_back(v);
  } else {
    for (int i = 0; i <= 4; ++i) ticks.push_back(x_min + (x_max - x_min) * i / 4);
  }
  for (double v : ticks)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.4g}</text>\n",
                     px(v), f.top + f.plot_h() + 14, v);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& ser = series[k];
    const char* color = kPalette[k % std::size(kPalette)];
    std::string points;
    for (std::size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i)
      points += fmt::format("{:.1f},{:.1f} ", px(ser.x[i]), py(ser.y[i]));
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                     points, color);
    for (std::size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i)
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>\n",
                       px(ser.x[i]), py(ser.y[i]), color);
    const double ly = f.top + 14.0 * k;
    s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n",
                     f.width - f.right + 10, ly, color);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\">{}</text>\n", f.width - f.right + 24, ly + 9,
                     escape(ser.name));
  }
  return s + "</svg>\n";
}

std::string heatmap(const std::vector<std::vector<int>>& cells,
                    const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const Labels& labels_text) {
  const std::size_t rows = cells.size();
  std::size_t cols = 0;
  int top = 0;
  for (const auto& row : cells) {
    cols = std::max(cols, row.size());
    for (int v : row) top = std::max(top, v);
  }
  const double cell = 34;
  const Frame f{150 + cell * cols + 20, 40 + cell * rows + 130, 150, 20, 40, 130};
  std::string s = open_svg(f, labels_text);
  for (std::size_t r = 0; r < rows; ++r) {
    const double y = f.top + cell * r;
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"10\">{}</text>\n",
                     f.left - 4, y + cell / 2 + 4,
                     escape(r < row_labels.size() ? row_labels[r] : ""));
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      const int v = cells[r][c];
      const double t = top > 0 ? static_cast<double>(v) / top : 0;
      const int shade = static_cast<int>(std::lround(255 - 200 * t));
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" "
          "fill=\"rgb({},{},255)\" stroke=\"#fff\"/>\n",
          f.left + cell * c, y, cell, cell, shade, shade);
      s += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\" "
          "fill=\"{}\">{}</text>\n",
          f.left + cell * c + cell / 2, y + cell / 2 + 4, t > 0.6 ? "#fff" : "#000", v);
    }
  }
  for (std::size_t c = 0; c < cols; ++c)
    s += fmt::format(
        "<text transform=\"translate({:.1f},{:.1f}) rotate(-45)\" text-anchor=\"end\" "
        "font-size=\"10\">{}</text>\n",
        f.left + cell * c + cell / 2, f.top + cell * rows + 12,
        escape(c < column_labels.size() ? column_labels[c] : ""));
  return s + "</svg>\n";
}

}  // namespace audify::svg
