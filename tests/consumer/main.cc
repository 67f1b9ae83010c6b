// Uses the installed headers and libraries the way a host plugin would: a worker thread calls into
// an owned loop playing the main thread. Exit code 0 means everything behaved.
#include <dccview/dispatcher.h>
#include <dccview/owned_loop.h>
#ifdef HAVE_GLIB_LOOP
#include <dccview/glib_loop.h>
#endif

#include <cstdio>
#include <memory>
#include <thread>

int main() {
  auto dispatcher = std::make_shared<dccview::Dispatcher>();
  auto& loop = dispatcher->install<dccview::OwnedLoop>();
  int answer = 0;
  std::thread worker([&] {
    answer = dispatcher->call([&] { return dispatcher->is_main_thread() ? 42 : -1; });
    loop.quit();
  });
  loop.run();
  worker.join();
  std::printf("consumer: answer=%d\n", answer);
  return answer == 42 ? 0 : 1;
}
