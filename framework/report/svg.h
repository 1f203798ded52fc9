// Tiny self-contained SVG charts for the HTML report: each returns one <svg> element as text, with
// a title, axis labels and escaped text, sized in CSS pixels, with no scripts or external assets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace audify::svg {

struct Labels {
  std::string title, x, y;
};

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length
};

// Escapes &, <, >, " and ' for use in XML/HTML text and attributes.
std::string escape(std::string_view text);

// Vertical bars, one per label; y runs from 0 to y_max (0 = the largest value, at least 1e-9).
// Values are printed above the bars with `value_format` (fmt syntax, e.g. "{:.1f}"). A positive
// `whiskers[i]` draws an interval value ± whiskers[i] on bar i (a confidence interval).
std::string bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                      const Labels& labels_text, double y_max = 0,
                      std::string_view value_format = "{:.1f}",
                      const std::vector<double>& whiskers = {});

// Polylines with markers and a legend; axes span the data (y from 0 to at least y_max). When every
// x is a whole number (epochs) the x ticks are whole numbers too.
std::string line_chart(const std::vector<Series>& series, const Labels& labels_text,
                       double y_max = 0);

// A grid of counts, darker for larger, with the count in each cell; rows are the y axis.
std::string heatmap(const std::vector<std::vector<int>>& cells,
                    const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const Labels& labels_text);

}  // namespace audify::svg
