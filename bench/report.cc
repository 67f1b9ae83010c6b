#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace dccview::bench {

double Row::figure(const std::string& name) const {
  for (const auto& [key, value] : figures) {
    if (key == name) return value;
  }
  return NAN;
}

void Report::add(Row row) {
  std::printf("%-22s %-20s", row.benchmark.c_str(), row.impl.c_str());
  for (const auto& [key, value] : row.figures) std::printf("  %s=%.3f", key.c_str(), value);
  std::printf("\n");
  std::fflush(stdout);
  rows_.push_back(std::move(row));
}

double Report::find(const std::string& benchmark, const std::string& impl,
                    const std::string& figure, const std::string& key, double key_value) const {
  for (const Row& row : rows_) {
    if (row.benchmark != benchmark || row.impl != impl) continue;
    if (!key.empty() && row.figure(key) != key_value) continue;
    return row.figure(figure);
  }
  return NAN;
}

void Report::write_json(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  for (const Row& row : rows_) {
    out << "{\"benchmark\":\"" << row.benchmark << "\",\"impl\":\"" << row.impl << "\"";
    for (const auto& [key, value] : row.figures) {
      char number[64];
      std::snprintf(number, sizeof number, "%.6g", value);
      out << ",\"" << key << "\":" << number;
    }
    if (!row.backend.empty()) out << ",\"backend\":\"" << row.backend << "\"";
    out << "}\n";
  }
}

double percentile(std::vector<double> samples, double pct) {
  if (samples.empty()) return NAN;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<std::size_t>(std::ceil(pct / 100.0 * samples.size())) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

bool parse_options(int argc, char** argv, Options& options, bool groups) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      options.quick = true;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      options.json_path = argv[++i];
    } else if (groups && std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      options.only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--json FILE]%s\n", argv[0], groups ? " [--only GROUP]" : "");
      return false;
    }
  }
  return true;
}

int check_target(const char* what, double ratio, double limit, bool at_most) {
  if (std::isnan(ratio)) return 0;
  const bool met = at_most ? ratio <= limit : ratio >= limit;
  std::printf("  %-58s %8.3f  (target %s %.2f)  %s\n", what, ratio, at_most ? "<=" : ">=", limit,
              met ? "met" : "MISSED");
  return met ? 0 : 1;
}

}  // namespace dccview::bench
