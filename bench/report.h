// Benchmark reporting: one JSON object per line, plus a readable table on stdout.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dccview::bench {

struct Options {
  bool quick = false;
  std::string json_path;
  std::string only;  // run only the benchmark group with this name (e.g. "post_throughput")
  bool wants(const std::string& group) const { return only.empty() || only == group; }
};

struct Row {
  std::string benchmark;
  std::string impl;
  std::vector<std::pair<std::string, double>> figures;  // name -> value, in output order
  std::string backend = {};  // the web engine a WebView row ran on ("webkitgtk"); empty for the rest
  double figure(const std::string& name) const;
};

class Report {
 public:
  void add(Row row);
  const std::vector<Row>& rows() const { return rows_; }
  // Value of `figure` for (benchmark, impl, optional matching extra figure such as producers).
  double find(const std::string& benchmark, const std::string& impl, const std::string& figure,
              const std::string& key = {}, double key_value = 0) const;
  void write_json(const std::string& path) const;

 private:
  std::vector<Row> rows_;
};

// Percentile (0..100) of samples; sorts a copy.
double percentile(std::vector<double> samples, double pct);

// Reads --quick, --json FILE and (when `groups` is set) --only GROUP into `options`; prints the usage
// and returns false on anything else.
bool parse_options(int argc, char** argv, Options& options, bool groups);

// Prints one target line ("what  ratio  (target <= limit)  met/MISSED"); 1 when missed, 0 when met or
// not measured (NaN: the group did not run).
int check_target(const char* what, double ratio, double limit, bool at_most);

}  // namespace dccview::bench
