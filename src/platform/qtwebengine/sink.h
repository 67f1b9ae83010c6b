// The QWebChannel object of the bridge's privileged half (internal; see js/bridge_world.js): the page
// posts to it, and its toPage signal carries native messages to the page. GUI thread only.
//
// Its slots only queue what arrived: it is handled from Qt's event loop once the channel's call has
// returned. A handler that spins a nested event loop (a modal dialog, a file dialog) would otherwise
// run inside Chromium's task that delivered the call, where Chromium runs none of its own: every
// later page message and evaluation result would wait for the dialog to close (measured).
#pragma once

#include <QObject>
#include <QString>
#include <functional>

namespace dccview::webview_detail {

class BridgeSink : public QObject {
  Q_OBJECT

 public:
  std::function<void(const QString&)> on_message;
  std::function<void(const QString&)> on_eval_result;
  std::function<void(int)> on_delivered;

 public Q_SLOTS:
  void post(const QString& text) {
    QMetaObject::invokeMethod(this, [this, text] { if (on_message) on_message(text); }, Qt::QueuedConnection);
  }
  void evalResult(const QString& text) {
    QMetaObject::invokeMethod(this, [this, text] { if (on_eval_result) on_eval_result(text); }, Qt::QueuedConnection);
  }
  void delivered(int ack) {
    QMetaObject::invokeMethod(this, [this, ack] { if (on_delivered) on_delivered(ack); }, Qt::QueuedConnection);
  }

 Q_SIGNALS:
  // (document id, messages JSON, ack: 0, or a number the page echoes through delivered())
  void toPage(const QString& doc, const QString& messages, int ack);
};

}  // namespace dccview::webview_detail
