// The order graph: nodes are lock classes, an edge A -> B means "B was acquired while A was held"
// (first site kept). A new edge A -> B closes an inversion when B already reaches A.
//
// Its mutex is a CheckedMutex like every dccview lock: a leaf with a fixed class id (interning a
// class needs this very lock). The checker does not check itself re-entrantly: while it works on a
// thread (CheckerScope), acquisitions on that thread are not checked again.
#include "core/lock_order/order_graph.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <deque>
#include <set>
#include <unordered_map>
#include <vector>

namespace dccview::detail {

namespace {

struct Edge {
  std::uint32_t to;
  EdgeSite site;
};

constexpr const char* kGraphLockName = "dccview.lock_order.graph";

struct Graph {
  CheckedMutex mutex{kGraphLockName, LockLevel::kGlobal, PreinternedLeaf{1}};
  std::unordered_map<std::string, std::uint32_t> ids DCCVIEW_GUARDED_BY(mutex){
      {kGraphLockName, 1}};
  // Index = class id; 0 unused.
  std::vector<std::string> names DCCVIEW_GUARDED_BY(mutex){"", kGraphLockName};
  std::vector<LockLevel> levels DCCVIEW_GUARDED_BY(mutex){LockLevel::kGlobal, LockLevel::kGlobal};
  std::unordered_map<std::uint32_t, std::vector<Edge>> edges DCCVIEW_GUARDED_BY(mutex);
  std::set<std::string> reported DCCVIEW_GUARDED_BY(mutex);
};

Graph& graph() {
  static Graph* g = new Graph();  // leaked: locks may be used during static destruction
  return *g;
}

const Edge* find_edge(Graph& g, std::uint32_t from, std::uint32_t to)
    DCCVIEW_REQUIRES(g.mutex) {
  auto it = g.edges.find(from);
  if (it == g.edges.end()) return nullptr;
  for (const Edge& e : it->second) {
    if (e.to == to) return &e;
  }
  return nullptr;
}

// Breadth-first path from `from` to `to`, as the list of classes visited (empty if none).
std::vector<std::uint32_t> find_path(Graph& g, std::uint32_t from, std::uint32_t to)
    DCCVIEW_REQUIRES(g.mutex) {
  std::unordered_map<std::uint32_t, std::uint32_t> parent{{from, 0}};
  std::deque<std::uint32_t> frontier{from};
  while (!frontier.empty()) {
    const std::uint32_t node = frontier.front();
    frontier.pop_front();
    if (node == to) {
      std::vector<std::uint32_t> path;
      for (std::uint32_t n = to; n != 0; n = parent[n]) path.insert(path.begin(), n);
      return path;
    }
    auto it = g.edges.find(node);
    if (it == g.edges.end()) continue;
    for (const Edge& e : it->second) {
      if (parent.emplace(e.to, node).second) frontier.push_back(e.to);
    }
  }
  return {};
}

std::string describe_class(const Graph& g, std::uint32_t id) DCCVIEW_REQUIRES(g.mutex) {
  return "'" + g.names[id] + "' (level " + std::to_string(static_cast<int>(g.levels[id])) + ", " +
         to_string(g.levels[id]) + ")";
}

}  // namespace

std::uint32_t intern_lock_class(const char* name) {
  Graph& g = graph();
  CheckerScope inside;
  CheckedLock lock(g.mutex);
  auto [it, inserted] = g.ids.emplace(name, static_cast<std::uint32_t>(g.names.size()));
  if (inserted) {
    g.names.emplace_back(name);
    g.levels.push_back(LockLevel::kGlobal);
  }
  return it->second;
}

std::optional<std::string> record_order(const LockIdentity& from, const LockIdentity& to,
                                        const EdgeSite& site) {
  Graph& g = graph();
  CheckerScope inside;
  CheckedLock lock(g.mutex);
  g.levels[from.class_id] = from.level;
  g.levels[to.class_id] = to.level;
  if (find_edge(g, from.class_id, to.class_id) != nullptr) return std::nullopt;
  g.edges[from.class_id].push_back(Edge{to.class_id, site});
  const std::vector<std::uint32_t> back = find_path(g, to.class_id, from.class_id);
  if (back.size() < 2) return std::nullopt;
  const std::string key = "inversion:" + std::to_string(std::min(from.class_id, to.class_id)) +
                          ":" + std::to_string(std::max(from.class_id, to.class_id));
  if (!g.reported.insert(key).second) return std::nullopt;

  std::string report = "lock order inversion between " + describe_class(g, from.class_id) +
                       " and " + describe_class(g, to.class_id) + ": " + site.thread +
                       " acquired " + describe_class(g, to.class_id) + " at " +
                       describe_site(site.acquired_at) + " while holding " +
                       describe_class(g, from.class_id) + " taken at " +
                       describe_site(site.held_at) + "; the opposite order was seen before:";
  for (std::size_t i = 0; i + 1 < back.size(); ++i) {
    const Edge* e = find_edge(g, back[i], back[i + 1]);
    report += " " + e->site.thread + " acquired " + describe_class(g, back[i + 1]) + " at " +
              describe_site(e->site.acquired_at) + " while holding " +
              describe_class(g, back[i]) + " taken at " + describe_site(e->site.held_at) + ";";
  }
  report += " two threads taking these paths at once deadlock";
  return report;
}

bool first_report(const std::string& key) {
  Graph& g = graph();
  CheckerScope inside;
  CheckedLock lock(g.mutex);
  return g.reported.insert(key).second;
}

std::string describe_lock(const LockIdentity& id) {
  return "'" + std::string(id.name) + "' (level " + std::to_string(static_cast<int>(id.level)) +
         ", " + to_string(id.level) + ")";
}

std::string describe_site(const std::source_location& where) {
  return std::string(where.file_name()) + ":" + std::to_string(where.line());
}

std::string describe_thread(pthread_t thread, long tid) {
  char name[32] = "?";
  pthread_getname_np(thread, name, sizeof name);
  return "thread '" + std::string(name) + "' (tid " + std::to_string(tid) + ")";
}

std::string describe_current_thread() {
  return describe_thread(pthread_self(), static_cast<long>(syscall(SYS_gettid)));
}

}  // namespace dccview::detail
