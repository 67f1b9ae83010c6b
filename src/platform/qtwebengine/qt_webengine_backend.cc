// The Qt WebEngine backend in C++ (dccview/qtwebengine.h): the same bridge and behaviour as the Python
// one (python/dccview/_web_backends/qtwebengine.py). Everything here runs on the Qt GUI thread.
#include <QCloseEvent>
#include <QFile>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>
#include <QWebEngineView>
#include <QWidget>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "dccview/log.h"
#include "dccview/qtwebengine.h"
#include "platform/qtwebengine/sink.h"
#include "webview/channel_backend.h"
#include "webview/hosted_platform.h"

namespace dccview::webview_detail {

extern const char kBridgeJs[];       // js/bridge.js
extern const char kBridgeWorldJs[];  // js/bridge_world.js

namespace {

// The page's world and dccview's: the privileged half and the QWebChannel exist in the latter only.
constexpr quint32 kMainWorld = QWebEngineScript::MainWorld;
constexpr quint32 kBridgeWorld = QWebEngineScript::ApplicationWorld;

QString webchannel_js() {
  QFile resource(QStringLiteral(":/qtwebchannel/qwebchannel.js"));
  if (!resource.open(QIODevice::ReadOnly)) throw std::runtime_error("dccview: Qt WebEngine's qwebchannel.js is missing");
  return QString::fromUtf8(resource.readAll());
}

class Page final : public QWebEnginePage {
 public:
  using QWebEnginePage::QWebEnginePage;

 protected:
  void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel, const QString& message, int line,
                                const QString& source) override {
    log(LogLevel::kDebug, "page console (" + source.toStdString() + ":" + std::to_string(line) + "): " +
                              message.toStdString());
  }
};

class View final : public QWebEngineView {
 public:
  using QWebEngineView::QWebEngineView;
  std::function<void()> on_close_button;  // set for top-level views

 protected:
  void closeEvent(QCloseEvent* event) override {
    if (!on_close_button) return QWebEngineView::closeEvent(event);
    event->ignore();
    on_close_button();
  }
};

class QtWebEngineBackend final : public ChannelBackend {
 public:
  QtWebEngineBackend(const WebViewOptions& options, BackendEvents& events, const std::string& token, QWidget* parent)
      : ChannelBackend(events), debug_(options.debug) {
    view_ = new View(parent);
    page_ = new Page(view_);
    view_->setPage(page_);
    if (parent == nullptr) view_->on_close_button = [this] { events_.on_close_requested(); };
    sink_.on_message = [this](const QString& text) { events_.on_page_message(text.toStdString()); };
    sink_.on_eval_result = [this](const QString& text) { evaluation_result(text.toStdString()); };
    sink_.on_delivered = [this](int ack) { delivered(ack); };
    channel_ = new QWebChannel(page_);
    channel_->registerObject(QStringLiteral("dccview"), &sink_);
    page_->setWebChannel(channel_, kBridgeWorld);
    QString world = QString::fromUtf8(kBridgeWorldJs);
    world.replace(QStringLiteral("__DCCVIEW_BRIDGE_TOKEN__"), QString::fromStdString(token));
    add_script(QStringLiteral("dccview-bridge-world"), webchannel_js() + world, kBridgeWorld);
    add_script(QStringLiteral("dccview-bridge"), QString::fromUtf8(kBridgeJs), kMainWorld);
    expiry_ = new QTimer(view_);  // the evaluations' one timer (see webview/channel_backend.h)
    expiry_->setSingleShot(true);
    QObject::connect(expiry_, &QTimer::timeout, view_, [this] { expire_evaluations(); });
    QObject::connect(page_, &QWebEnginePage::loadStarted, view_, [this] { load_started(); });
    QObject::connect(page_, &QWebEnginePage::loadFinished, view_, [this](bool) { load_finished(); });
    QObject::connect(page_, &QWebEnginePage::renderProcessTerminated, view_,
                     [this](QWebEnginePage::RenderProcessTerminationStatus status, int) {
                       process_terminated(status == QWebEnginePage::NormalTerminationStatus ? "terminated_by_api"
                                                                                            : "crashed");
                     });
    destroyed_ = QObject::connect(view_, &QObject::destroyed, [this] { on_view_destroyed(); });
    view_->setWindowTitle(QString::fromStdString(options.title));
    view_->resize(options.width, options.height);
    if (options.visible) view_->show();
  }

  ~QtWebEngineBackend() override {
    if (lost_) return;
    QObject::disconnect(destroyed_);
    view_->on_close_button = nullptr;
    if (inspector_ != nullptr) {
      page_->setDevToolsPage(nullptr);
      delete inspector_;
    }
    view_->hide();
    delete view_;  // its page, channel and timer with it
  }

  QWidget* widget() const { return lost_ ? nullptr : view_; }

  std::string current_url() override {
    if (lost_) return {};
    std::string url = view_->url().toString().toStdString();
    // setHtml shows a data: URL (or its base URL): report what load_html was given, so that the core
    // replays the HTML on reload() instead of loading the base URL.
    if (!html_base_.empty() && (url.rfind("data:", 0) == 0 || url.empty() || url == html_base_)) return html_base_;
    return url;
  }

  void show() override {
    if (!lost_) view_->show();
  }
  void hide() override {
    if (!lost_) view_->hide();
  }
  void set_title(const std::string& title) override {
    if (!lost_) view_->setWindowTitle(QString::fromStdString(title));
  }
  void set_size(int width, int height) override {
    if (!lost_) view_->resize(width, height);
  }
  std::uint64_t native_handle() override { return 0; }  // dock the widget (qtwebengine::View::widget)

  bool show_inspector() override {
    if (!debug_ || lost_) return false;
    if (inspector_ == nullptr) {
      inspector_ = new QWebEngineView();
      inspector_->setWindowTitle(QStringLiteral("dccview inspector: ") + view_->windowTitle());
      page_->setDevToolsPage(inspector_->page());
    }
    inspector_->show();
    return true;
  }

  void save_png(const std::string& path, std::function<void(Result<void>)> done) override {
    if (lost_) {
      done(Error{ErrorCode::kShutdown, "the WebView's widget was deleted", nullptr});
      return;
    }
    if (view_->grab().save(QString::fromStdString(path), "PNG")) {
      done(Result<void>());
    } else {
      done(Error{ErrorCode::kInvalidArgument, "cannot write " + path, nullptr});
    }
  }

 protected:
  bool page_alive() const override { return !lost_; }
  void navigate_html(const std::string& html, const std::string& base_url) override {
    html_base_ = base_url.empty() ? "about:blank" : base_url;
    view_->setHtml(QString::fromStdString(html), QUrl(QString::fromStdString(base_url)));
  }
  void navigate_url(const std::string& url) override {
    html_base_.clear();
    view_->load(QUrl(QString::fromStdString(url)));
  }
  void navigate_reload() override { view_->reload(); }
  void run_script(const std::string& script, std::function<void()> done) override {
    if (!done) {
      page_->runJavaScript(QString::fromStdString(script), kMainWorld);
      return;
    }
    page_->runJavaScript(QString::fromStdString(script) + QStringLiteral("\n;void 0"), kMainWorld,
                         [done = std::move(done)](const QVariant&) { done(); });
  }
  bool send(const std::string& doc, const std::string& messages, int ack) override {
    Q_EMIT sink_.toPage(QString::fromStdString(doc), QString::fromStdString(messages), ack);
    return true;
  }
  void arm_expiry(std::chrono::milliseconds delay) override { expiry_->start(static_cast<int>(delay.count())); }

 private:
  void add_script(const QString& name, const QString& source, quint32 world) {
    QWebEngineScript script;
    script.setName(name);
    script.setSourceCode(source);
    script.setWorldId(world);
    script.setInjectionPoint(QWebEngineScript::DocumentCreation);
    script.setRunsOnSubFrames(false);  // the top frame only, as on WebKitGTK
    page_->scripts().insert(script);
  }

  // The widget was deleted with its parent: close gracefully, touching it no more.
  void on_view_destroyed() {
    if (lost_) return;
    lost_ = true;
    log(LogLevel::kWarn, "WebView: its widget was deleted with its parent; closing");
    events_.on_close_requested();
  }

  const bool debug_;
  BridgeSink sink_;  // outlives the channel (deleted with the view first)
  View* view_ = nullptr;
  Page* page_ = nullptr;
  QWebChannel* channel_ = nullptr;
  QTimer* expiry_ = nullptr;  // the view's child
  QWebEngineView* inspector_ = nullptr;
  QMetaObject::Connection destroyed_;
  bool lost_ = false;
  std::string html_base_;  // the URL load_html's page stands for, while shown
};

}  // namespace
}  // namespace dccview::webview_detail

namespace dccview::qtwebengine {

View create_view(WebViewOptions options, const std::shared_ptr<Dispatcher>& gui, void* parent_widget) {
  if (!gui) throw std::invalid_argument("dccview: qtwebengine::create_view needs the GUI thread's dispatcher");
  QPointer<QWidget> parent = static_cast<QWidget*>(parent_widget);
  const bool has_parent = parent_widget != nullptr;
  void* widget = nullptr;
  auto factory = [parent, has_parent, &widget](const WebViewOptions& opts, webview_detail::BackendEvents& events,
                                               const std::string& token) -> std::unique_ptr<webview_detail::Backend> {
    if (has_parent && parent.isNull()) throw std::runtime_error("dccview: the parent widget was deleted");
    auto backend = std::make_unique<webview_detail::QtWebEngineBackend>(opts, events, token, parent.data());
    widget = backend->widget();
    return backend;
  };
  const auto platform = webview_detail::hosted_platform(gui, factory);
  View made;
  made.view = webview_detail::make_webview(std::move(options), platform);
  made.widget = widget;
  return made;
}

}  // namespace dccview::qtwebengine
