// The processes running on this machine, read from /proc (Linux): what the WebView tests need to find
// and kill the web engine's processes they started.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace dccview::test {

struct ProcessInfo {
  int parent = 0;
  std::string name;  // the kernel's command name (at most 15 characters)
};

// pid -> (parent pid, name) of every process readable now.
inline std::map<int, ProcessInfo> processes() {
  std::map<int, ProcessInfo> table;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;  // gone meanwhile
    std::istringstream rest(line.substr(close + 2));
    char state;
    ProcessInfo info;
    rest >> state >> info.parent;
    info.name = line.substr(open + 1, close - open - 1);
    table[std::stoi(pid)] = info;
  }
  return table;
}

}  // namespace dccview::test
