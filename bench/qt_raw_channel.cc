// See qt_raw_channel.h.
#include "qt_raw_channel.h"

#include <QFile>
#include <QMetaObject>
#include <QObject>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>
#include <QWebEngineView>
#include <chrono>
#include <thread>

#include "core/wait.h"

namespace dccview::bench {

using namespace std::chrono_literals;

// The channel's object. Made on the GUI thread: QWebChannel invokes a slot on its object's thread,
// and an object of a thread without a Qt loop would never run it.
class Echo : public QObject {
  Q_OBJECT

 public:
  explicit Echo(bool queued) : queued_(queued) {}
  Arrivals arrivals;  // read from the worker between rounds

  Q_INVOKABLE QString echo(const QString& text) {
    arrivals.record();
    return text;
  }
  Q_INVOKABLE void post(const QString& text) {
    arrivals.record();
    if (!queued_) {
      Q_EMIT back(text);
      return;
    }
    QMetaObject::invokeMethod(
        this, [this, text] { Q_EMIT back(text); }, Qt::QueuedConnection);
  }

 Q_SIGNALS:
  void back(const QString& text);

 private:
  const bool queued_;
};

namespace {

QString webchannel_js() {
  QFile resource(QStringLiteral(":/qtwebchannel/qwebchannel.js"));
  resource.open(QIODevice::ReadOnly);
  return QString::fromUtf8(resource.readAll());
}

// The channel's side, in `world`: window.raw, and for a page in another world the two events.
QString channel_script(RawShape shape) {
  const QString to_page =
      shape == RawShape::kTwoWorldsQueued
          ? QStringLiteral(
                "(t) => document.dispatchEvent(new CustomEvent('x-to-page', {detail: t}))")
          : QStringLiteral("(t) => window.__pending(t)");
  return webchannel_js() +
         QStringLiteral(
             "new QWebChannel(qt.webChannelTransport, (c) => {"
             "  window.raw = c.objects.raw;"
             "  c.objects.raw.back.connect(%1);"
             "  document.addEventListener('x-to-native', (e) => window.raw.post(e.detail));"
             "  document.dispatchEvent(new CustomEvent('x-channel-up'));"
             "});")
             .arg(to_page);
}

// The page's side: what a round trip is, and window.__loaded once the channel is up.
const char* const kPageScript =
    "window.__pending = null;"
    "document.addEventListener('x-to-page', (e) => window.__pending(e.detail));"
    "document.addEventListener('x-channel-up', () => { window.__loaded = true; });";

std::string one_call(RawShape shape) {
  switch (shape) {
    case RawShape::kReply:
      return "new Promise((r) => window.raw.echo('x', r))";
    case RawShape::kSignal:
    case RawShape::kSignalQueued:
      return "new Promise((r) => { window.__pending = r; window.raw.post('x'); })";
    case RawShape::kTwoWorldsQueued:
      return "new Promise((r) => { window.__pending = r;"
             " document.dispatchEvent(new CustomEvent('x-to-native', {detail: 'x'})); })";
  }
  return {};
}

void add_script(QWebEnginePage* page, const QString& source, quint32 world) {
  QWebEngineScript script;
  script.setSourceCode(source);
  script.setWorldId(world);
  script.setInjectionPoint(QWebEngineScript::DocumentCreation);
  page->scripts().insert(script);
}

}  // namespace

const char* impl_name(RawShape shape) {
  switch (shape) {
    case RawShape::kReply:
      return "raw_message";
    case RawShape::kSignal:
      return "raw_signal";
    case RawShape::kSignalQueued:
      return "raw_signal_queued";
    case RawShape::kTwoWorldsQueued:
      return "raw_two_worlds_queued";
  }
  return "";
}

RawChannelView::RawChannelView(RawShape shape, std::shared_ptr<Dispatcher> gui)
    : shape_(shape), gui_(std::move(gui)) {
  gui_->call(
      [this] {
        view_ = new QWebEngineView();
        const bool queued =
            shape_ == RawShape::kSignalQueued || shape_ == RawShape::kTwoWorldsQueued;
        echo_ = new Echo(queued);
        echo_->setParent(view_);
        const quint32 world = shape_ == RawShape::kTwoWorldsQueued
                                  ? QWebEngineScript::ApplicationWorld
                                  : QWebEngineScript::MainWorld;
        auto* channel = new QWebChannel(view_->page());
        channel->registerObject(QStringLiteral("raw"), echo_);
        view_->page()->setWebChannel(channel, world);
        add_script(view_->page(), QString::fromUtf8(kPageScript), QWebEngineScript::MainWorld);
        add_script(view_->page(), channel_script(shape_), world);
        view_->setHtml(QStringLiteral("<!doctype html><body>raw channel</body>"));
        view_->show();
      },
      30s);
  while (run("window.__loaded === true") != "true") std::this_thread::sleep_for(20ms);
}

RawChannelView::~RawChannelView() {
  gui_->call([this] { delete view_; }, 30s);
}

void RawChannelView::run_round(int calls) {
  // runJavaScript does not await promises: start the loop, then poll for its end.
  run("window.__done = false; " + sequential_calls(one_call(shape_), calls) +
      ".then(() => window.__done = true); true");
  while (run("window.__done") != "true") std::this_thread::sleep_for(5ms);
  echo_->arrivals.end_round();
}

Arrivals& RawChannelView::arrivals() { return echo_->arrivals; }

std::string RawChannelView::run(const std::string& script) {
  auto done = std::make_shared<detail::Completion>();
  auto value = std::make_shared<std::string>();
  gui_->post([this, script, done, value] {
    view_->page()->runJavaScript(QString::fromStdString(script), QWebEngineScript::MainWorld,
                                 [done, value](const QVariant& result) {
                                   *value = result.toString().toStdString();
                                   done->set();
                                 });
  });
  done->wait_until(detail::deadline_after_ns(std::chrono::nanoseconds(60s).count()));
  return *value;
}

}  // namespace dccview::bench

#include "qt_raw_channel.moc"
