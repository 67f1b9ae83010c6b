// The QWebChannel object of the bridge's privileged half (internal; see js/bridge_world.js): the page
// posts to it, and its toPage signal carries native messages to the page. GUI thread only.
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
  void post(const QString& text) { if (on_message) on_message(text); }
  void evalResult(const QString& text) { if (on_eval_result) on_eval_result(text); }
  void delivered(int ack) { if (on_delivered) on_delivered(ack); }

 Q_SIGNALS:
  // (document id, messages JSON, ack: 0, or a number the page echoes through delivered())
  void toPage(const QString& doc, const QString& messages, int ack);
};

}  // namespace dccview::webview_detail
