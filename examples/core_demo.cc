// A standalone "mini DCC" session on dccview's core: the main thread runs dccview's owned loop and
// owns a scene that may only be touched there (like bpy or maya.cmds); worker threads (standing in
// for WebView handler threads) create objects through the dispatcher, one gives up on a slow call
// (its work is cancelled, never run late), another streams progress, and the session shuts down
// gracefully with every task accounted for.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/owned_loop.h"

namespace {

// A scene API that fails loudly off the main thread, as DCC APIs do (or should).
class Scene {
 public:
  explicit Scene(const dccview::Dispatcher& owner) : owner_(owner) {}
  std::string create(const std::string& kind) {
    require_main_thread("create");
    objects_.push_back(kind + std::to_string(objects_.size() + 1));
    return objects_.back();
  }
  std::size_t size() {
    require_main_thread("size");
    return objects_.size();
  }

 private:
  void require_main_thread(const char* what) const {
    if (!owner_.is_main_thread()) throw std::logic_error(std::string("scene.") + what + " off the main thread");
  }
  const dccview::Dispatcher& owner_;
  std::vector<std::string> objects_;
};

}  // namespace

int main() {
  using namespace std::chrono_literals;
  auto dispatcher = std::make_shared<dccview::Dispatcher>();
  auto& loop = dispatcher->install<dccview::OwnedLoop>();  // this thread is now the "DCC" main thread
  Scene scene(*dispatcher);

  std::printf("main thread: owned loop installed; the scene may only be touched here\n");
  std::thread([&] {
    try {
      scene.size();
    } catch (const std::logic_error& e) {
      std::printf("a worker touching the scene directly fails loudly: %s\n", e.what());
    }
  }).join();

  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < 3; ++i) {
        auto name = dispatcher->call([&] { return scene.create(w % 2 ? "cube" : "sphere"); }, 5s);
        std::printf("worker %d: created %s on the main thread\n", w, name.c_str());
      }
    });
  }
  std::thread impatient([&] {
    dispatcher->post([] { std::this_thread::sleep_for(200ms); }, "slow_viewport_refresh");
    try {
      dispatcher->call([&] { return scene.create("never"); }, 20ms, "create_while_busy");
    } catch (const dccview::ThreadDispatchTimeoutError& e) {
      std::printf("impatient worker: %s\n", e.what());
    }
  });
  std::thread progress([&] {
    for (int pct = 0; pct <= 100; pct += 25) {
      dispatcher->post([pct] { std::printf("main thread: progress %d%%\n", pct); });
    }
  });
  std::thread closer([&] {
    for (auto& w : workers) w.join();
    impatient.join();
    progress.join();
    std::printf("closing: shutdown, then drain what was accepted\n");
    dispatcher->shutdown();
    const bool drained = dispatcher->wait_for_drain(5s);
    std::printf("drained: %s; post after shutdown accepted: %s\n", drained ? "yes" : "no",
                dispatcher->post([] {}) ? "yes" : "no");
    loop.quit();
  });
  loop.run();
  closer.join();

  const auto s = dispatcher->stats();
  std::printf("scene objects: %zu (12 expected; the cancelled one never ran)\n", scene.size());
  std::printf("tasks: accepted %llu = run %llu + cancelled %llu + destroyed %llu; rejected %llu\n",
              static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.run),
              static_cast<unsigned long long>(s.cancelled),
              static_cast<unsigned long long>(s.destroyed),
              static_cast<unsigned long long>(s.rejected));
  const bool ok = scene.size() == 12 && s.accepted == s.run + s.cancelled + s.destroyed;
  std::printf("%s\n", ok ? "session ended cleanly" : "ACCOUNTING MISMATCH");
  return ok ? 0 : 1;
}
